import CarteraCore
import CarteraTestSupport
import LoanCollections
import Testing

@Suite("Promises to pay")
struct PromiseToPayTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text: text)! }

    /// 1,500.00 promised on 2026-11-20 for 2026-11-25, with 2 days of tolerance (deadline 2026-11-27).
    static let promise = PromiseToPay(madeOn: day("2026-11-20"), amount: 150_000, dueDate: day("2026-11-25"), toleranceDays: 2)

    @Test("Open until its deadline unless paid; kept when paid in full by the deadline; partly kept or broken after it")
    func states() {
        let promise = Self.promise
        #expect(promise.deadline == Self.day("2026-11-27"))
        #expect(promise.state(asOf: Self.day("2026-11-26"), payments: []) == .open)
        #expect(promise.state(asOf: Self.day("2026-11-27"), payments: [(Self.day("2026-11-26"), 100_000)]) == .open)
        #expect(promise.state(asOf: Self.day("2026-11-22"), payments: [(Self.day("2026-11-21"), 150_000)]) == .kept)
        #expect(promise.state(asOf: Self.day("2026-11-28"), payments: [(Self.day("2026-11-24"), 100_000), (Self.day("2026-11-27"), 50_000)]) == .kept)
        #expect(promise.state(asOf: Self.day("2026-11-28"), payments: [(Self.day("2026-11-24"), 100_000)]) == .partiallyKept)
        #expect(promise.state(asOf: Self.day("2026-11-28"), payments: []) == .broken)
        // A payment before the promise or after the deadline does not count towards it.
        #expect(promise.state(asOf: Self.day("2026-12-01"), payments: [(Self.day("2026-11-19"), 150_000), (Self.day("2026-11-28"), 150_000)]) == .broken)
        var canceled = promise
        canceled.canceled = true
        #expect(canceled.state(asOf: Self.day("2026-12-01"), payments: []) == .canceled)
    }

    @Test("A promise of nothing, for a past day or with too much tolerance is refused at its field")
    func refused() {
        #expect(PromiseToPay(madeOn: Self.day("2026-11-20"), amount: 0, dueDate: Self.day("2026-11-19"), toleranceDays: 45).issues().map(\.field) == ["amount", "dueDate", "toleranceDays"])
        #expect(Self.promise.issues().isEmpty)
    }

    @Test("Property: the state never depends on payment order, and adding a payment never turns kept into anything else")
    func property() {
        var random = SplitMix64(seed: 42)
        func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        for _ in 0..<2_000 {
            let made = Self.day("2026-01-01").adding(days: Int64(next(300)))
            let promise = PromiseToPay(madeOn: made, amount: Int64(1 + next(500_000)), dueDate: made.adding(days: Int64(next(20))), toleranceDays: next(5))
            let payments = (0..<next(5)).map { _ in (date: made.adding(days: Int64(next(30) - 5)), amount: Int64(next(300_000))) }
            let asOf = made.adding(days: Int64(next(40)))
            let state = promise.state(asOf: asOf, payments: payments)
            #expect(promise.state(asOf: asOf, payments: payments.reversed()) == state)
            if state == .kept {
                #expect(promise.state(asOf: asOf, payments: payments + [(made, Int64(next(1000)))]) == .kept)
            }
            if asOf > promise.deadline { #expect(state != .open) } else { #expect(state == .open || state == .kept) }
        }
    }
}
