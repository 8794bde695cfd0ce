import CarteraCore
import Foundation
import LoanCollections
import Testing

@Suite("Delinquency totals kept by the close")
struct DelinquencyTotalsTests {
    static let day = CalendarDate(text: "2026-04-09")!
    static let earlierDay = CalendarDate(text: "2026-03-09")!

    static func snapshot(_ id: Int, date: CalendarDate, dpd: Int, principal: Int64, status: String = "active", restructured: Bool = false) -> LoanSnapshot {
        LoanSnapshot(
            date: date, loanID: "ln_\(id)", clientID: "c", productCode: "P", disbursedOn: CalendarDate(text: "2025-09-09")!, status: status,
            daysPastDue: dpd, bucket: DelinquencyBuckets.standard.bucket(for: dpd).code, nonPerforming: dpd > 90, restructured: restructured,
            principalOutstanding: principal, overduePrincipal: 0, overdueInterest: 0, overdueCharges: 0, amountDue: 0, installmentsOverdue: dpd > 0 ? 1 : 0,
            nextDueDate: nil
        )
    }

    /// A random portfolio on two days a month apart: some loans gone, some new, days past due moving.
    static func portfolio(_ random: inout SplitMix64) -> (day: [LoanSnapshot], earlier: [LoanSnapshot]) {
        var day: [LoanSnapshot] = []
        var earlier: [LoanSnapshot] = []
        for id in 0..<Int(random.next() % 300) {
            let principal = Int64(random.next() % 5_000_000)
            let before = Int(random.next() % 4) == 0 ? Int(random.next() % 150) : 0
            if random.next() % 10 != 0 { earlier.append(snapshot(id, date: earlierDay, dpd: before, principal: principal)) }
            switch random.next() % 10 {
            case 0: continue
            case 1: day.append(snapshot(id, date: Self.day, dpd: 0, principal: 0, status: "paid_off"))
            default:
                let dpd = random.next() % 3 == 0 ? 0 : before + Int(random.next() % 31)
                day.append(snapshot(id, date: Self.day, dpd: dpd, principal: principal * 9 / 10, restructured: random.next() % 25 == 0))
            }
        }
        return (day, earlier)
    }

    @Test("Totals of parts merged equal the totals of the whole, and the report from totals equals the report from the snapshots (property)")
    func mergeAndReport() throws {
        var random = SplitMix64(seed: 41)
        for _ in 0..<200 {
            let (day, earlier) = Self.portfolio(&random)
            let whole = DelinquencyTotals(date: Self.day, day: day, earlier: (Self.earlierDay, earlier))
            // Chunks as the close sees them: each loan of the day with its own earlier snapshot, when it has one.
            let byLoan = Dictionary(uniqueKeysWithValues: earlier.map { ($0.loanID, $0) })
            var merged = DelinquencyTotals(date: Self.day, comparedWith: Self.earlierDay)
            var start = 0
            while start < day.count {
                let end = min(day.count, start + 1 + Int(random.next() % 40))
                var part = DelinquencyTotals(date: Self.day, comparedWith: Self.earlierDay)
                for snapshot in day[start..<end] {
                    part.add(snapshot)
                    if let before = byLoan[snapshot.loanID] { part.movement?.add(earlier: before, now: snapshot) }
                }
                merged.merge(part)
                start = end
            }
            #expect(merged == whole)
            let earlierTotals = DelinquencyTotals(date: Self.earlierDay, day: earlier)
            let fromTotals = DelinquencyReport(totals: merged, earlier: earlierTotals, buckets: .standard)
            let fromSnapshots = DelinquencyReport(date: Self.day, day: day, earlier: (Self.earlierDay, earlier), buckets: .standard)
            #expect(fromTotals == fromSnapshots)
            // Kept as JSON by the close: the same after a round trip.
            let encoded = try JSONEncoder().encode(merged)
            #expect(try JSONDecoder().decode(DelinquencyTotals.self, from: encoded) == merged)
        }
    }

    @Test("Golden: two loans current, one 45 days late, one restructured, one paid off; rolls and cures against a month before")
    func golden() {
        let day = [
            Self.snapshot(1, date: Self.day, dpd: 0, principal: 1_000_000),
            Self.snapshot(2, date: Self.day, dpd: 0, principal: 500_000),
            Self.snapshot(3, date: Self.day, dpd: 45, principal: 250_000),
            Self.snapshot(4, date: Self.day, dpd: 0, principal: 250_000, restructured: true),
            Self.snapshot(5, date: Self.day, dpd: 0, principal: 0, status: "paid_off"),
        ]
        let earlier = [
            Self.snapshot(1, date: Self.earlierDay, dpd: 0, principal: 1_100_000),
            Self.snapshot(2, date: Self.earlierDay, dpd: 20, principal: 600_000),
            Self.snapshot(3, date: Self.earlierDay, dpd: 15, principal: 300_000),
            Self.snapshot(5, date: Self.earlierDay, dpd: 0, principal: 100_000),
        ]
        let totals = DelinquencyTotals(date: Self.day, day: day, earlier: (Self.earlierDay, earlier))
        #expect(totals.active == .init(loans: 4, principal: 2_000_000))
        #expect(totals.par30 == 500_000 && totals.par90 == 250_000 && totals.nonPerforming == 0)
        #expect(totals.late == .init(loans: 1, principal: 250_000) && totals.current == .init(loans: 3, principal: 1_750_000))
        #expect(totals.movement?.cured == .init(loans: 1, principal: 600_000))
        let report = DelinquencyReport(totals: totals, earlier: DelinquencyTotals(date: Self.earlierDay, day: earlier), buckets: .standard)
        #expect(report.par30BasisPoints == 2_500 && report.par90BasisPoints == 1_250)
        // Al corriente a month before: 1,100,000 stayed current, 100,000 paid off (gone).
        let current = report.rolls[0]
        #expect(current.principal == 1_200_000 && current.toBasisPoints["0"] == 9_167 && current.goneBasisPoints == 833)
        // 1–30: 600,000 cured, 300,000 rolled to 31–60.
        let early = report.rolls[1]
        #expect(early.principal == 900_000 && early.toBasisPoints["0"] == 6_667 && early.toBasisPoints["31-60"] == 3_333 && early.goneBasisPoints == 0)
        #expect(report.cureRateLoansBasisPoints == 5_000 && report.cureRatePrincipalBasisPoints == 6_667)
    }

    @Test("Days to collect: mean weighted by amount in hundredths of a day, weighted median and 90th percentile; nil without late payments")
    func daysToCollect() throws {
        var totals = DelinquencyTotals(date: Self.day)
        totals.addLatePayment(days: 3, amount: 100_000)
        totals.addLatePayment(days: 10, amount: 300_000)
        var other = DelinquencyTotals(date: Self.day)
        other.addLatePayment(days: 40, amount: 100_000)
        totals.merge(other)
        let days = try #require(DaysToCollect(histogram: totals.latePaid))
        // (3 × 1,000 + 10 × 3,000 + 40 × 1,000) ÷ 5,000 = 14.6 days; half the amount by day 10, nine tenths by day 40.
        #expect(days == DaysToCollect(histogram: [3: .init(loans: 1, principal: 100_000), 10: .init(loans: 1, principal: 300_000), 40: .init(loans: 1, principal: 100_000)]))
        #expect(days.installments == 3 && days.amount == 500_000 && days.meanHundredths == 1_460 && days.median == 10 && days.p90 == 40)
        // 1 and 2 days, equal amounts: 1.5 days; the median is the first day reaching half.
        let even = try #require(DaysToCollect(histogram: [1: .init(loans: 1, principal: 7), 2: .init(loans: 1, principal: 7)]))
        #expect(even.meanHundredths == 150 && even.median == 1 && even.p90 == 2)
        #expect(DaysToCollect(histogram: [:]) == nil)
    }
}
