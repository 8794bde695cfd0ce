import CarteraCore
import Foundation
import Lending
import Testing

/// Golden vectors T1–T6 from `../shared/notes/mexico-rules.md` §1.6.
@Suite("Quotes and CAT")
struct QuoteTests {
    static let start = CalendarDate(text: "2026-01-15")!

    func mxn(_ text: String) -> Money { try! Money(parsing: text) }

    @Test("T1: 15,000 with a 100 fee and 24 monthly payments of 962.33 → CAT 57.4 %")
    func t1() throws {
        let payments = (1...24).map { CAT.Flow(centavos: 96_233, years: Double($0) / 12) } + [CAT.Flow(centavos: 10_000, years: 0)]
        let rate = try #require(CAT.rate(disbursements: [CAT.Flow(centavos: 1_500_000, years: 0)], payments: payments))
        #expect(abs(rate - 0.573607) < 0.000_01)
        #expect(CAT.published(rate) == "57.4")
    }

    @Test("T2: 20,000 at 58 %, 12 monthly, no IVA, 5 % fee → payment 2,235.35, CAT 95.6 %")
    func t2() throws {
        let quote = try Quoting.quote(QuoteRequest(
            principal: mxn("20000"), annualRate: .percent(58), term: 12, frequency: .mensual, ivaRate: .zero, openingFee: mxn("1000"), start: Self.start
        ))
        #expect(quote.payment == mxn("2235.35"))
        #expect(quote.cat == "95.6")
    }

    @Test("T3: 10,000 at 60 % with IVA, 12 monthly, fee 200 → payment 1,179.73, the published rows, CAT 87.0 %")
    func t3() throws {
        let quote = try Quoting.quote(QuoteRequest(
            principal: mxn("10000"), annualRate: .percent(60), term: 12, frequency: .mensual, openingFee: mxn("200"), start: Self.start
        ))
        #expect(quote.payment == mxn("1179.73"))
        let rows = quote.installments
        func row(_ k: Int) -> [Money] { [rows[k - 1].payment, rows[k - 1].interest, rows[k - 1].iva, rows[k - 1].principal, rows[k - 1].balance] }
        #expect(row(1) == [mxn("1179.73"), mxn("500.00"), mxn("80.00"), mxn("599.73"), mxn("9400.27")])
        #expect(row(2) == [mxn("1179.73"), mxn("470.01"), mxn("75.20"), mxn("634.52"), mxn("8765.75")])
        #expect(row(11) == [mxn("1179.73"), mxn("108.45"), mxn("17.35"), mxn("1053.93"), mxn("1115.00")])
        #expect(row(12) == [mxn("1179.67"), mxn("55.75"), mxn("8.92"), mxn("1115.00"), mxn("0.00")])
        #expect(quote.cat == "87.0")
        #expect(rows.map(\.dueDate.text).prefix(2) == ["2026-02-15", "2026-03-15"])
    }

    @Test("T4 and T5: no interest → 0.0 %; 1,000 → 1,100 in a year → 10.0 %")
    func t4t5() throws {
        let t4 = try #require(CAT.rate(disbursements: [.init(centavos: 120_000, years: 0)], payments: (1...12).map { .init(centavos: 10_000, years: Double($0) / 12) }))
        #expect(CAT.published(t4) == "0.0")
        let t5 = try #require(CAT.rate(disbursements: [.init(centavos: 100_000, years: 0)], payments: [.init(centavos: 110_000, years: 1)]))
        #expect(CAT.published(t5) == "10.0")
    }

    @Test("T6: 5,000 at 120 %, 16 weekly, IVA 16 % → payment 389.18 (last 389.20), CAT 231.8 % with t = k/52")
    func t6() throws {
        let quote = try Quoting.quote(QuoteRequest(principal: mxn("5000"), annualRate: .percent(120), term: 16, frequency: .semanal, start: Self.start))
        #expect(quote.payment == mxn("389.18"))
        let first = quote.installments[0]
        #expect([first.interest, first.iva, first.principal, first.balance] == [mxn("116.67"), mxn("18.67"), mxn("253.84"), mxn("4746.16")])
        let last = try #require(quote.installments.last)
        #expect([last.payment, last.interest, last.iva, last.principal] == [mxn("389.20"), mxn("8.84"), mxn("1.41"), mxn("378.95")])
        #expect(quote.cat == "231.8")
        #expect(quote.installments[1].dueDate.text == "2026-01-29")
    }

    @Test("Every method repays exactly the principal, and payments are interest + IVA + principal", arguments: AmortizationMethod.allCases)
    func invariants(method: AmortizationMethod) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let principal = Money.mxn(centavos: Int64.random(in: 100_000...50_000_000, using: &generator))
            let request = QuoteRequest(
                principal: principal, annualRate: Rate(millionths: Int64.random(in: 0...2_000_000, using: &generator)),
                term: Int.random(in: 1...120, using: &generator), frequency: Frequency.allCases.randomElement(using: &generator)!,
                method: method, ivaRate: [Rate.zero, .percent(16)].randomElement(using: &generator)!, start: Self.start
            )
            let quote = try Quoting.quote(request)
            #expect(try Money.sum(quote.installments.map(\.principal)) == principal, "\(request)")
            #expect(quote.installments.last?.balance.isZero == true)
            #expect(quote.installments.allSatisfy { $0.payment == $0.principal + $0.interest + $0.iva && !$0.principal.isNegative && !$0.balance.isNegative })
        }
    }

    @Test("Refusals are in Spanish with a code")
    func refusals() {
        #expect(throws: QuoteRefusal.self) {
            try Quoting.quote(QuoteRequest(principal: .zero(), annualRate: .percent(60), term: 12, frequency: .mensual, start: Self.start))
        }
        #expect(Rate(percent: "58.5")?.millionths == 585_000)
        #expect(Rate(percent: "16")?.percentText == "16")
        #expect(Rate(percent: "abc") == nil)
        #expect(Rate(percent: "1.23456") == nil)
    }

    @Test("Monthly due dates keep the day, clamped to the month's end")
    func dueDates() {
        let start = CalendarDate(text: "2026-01-31")!
        #expect((1...3).map { Frequency.mensual.dueDate($0, from: start).text } == ["2026-02-28", "2026-03-31", "2026-04-30"])
        #expect(Frequency.mensual.dueDate(12, from: start).text == "2027-01-31")
    }
}
