import CarteraCore
import Lending
import Testing

@Suite("Day counts and simple interest")
struct DayCountTests {
    func date(_ text: String) -> CalendarDate { CalendarDate(text: text)! }

    @Test("10,000.00 at 24 % for 30 days Actual/360 accrues exactly 200.00")
    func golden() throws {
        let days = DayCount.actual360.days(from: date("2026-01-01"), to: date("2026-01-31"))
        #expect(days == 30)
        #expect(try DayCount.actual360.interest(on: Money(parsing: "10000.00"), annualRate: .percent(24), days: days) == Money(parsing: "200.00"))
        // The same under Actual/365 is 197.26: the two conventions are not interchangeable.
        #expect(try DayCount.actual365.interest(on: Money(parsing: "10000.00"), annualRate: .percent(24), days: 30) == Money(parsing: "197.26"))
    }

    @Test("Moratorium example of the notes: 599.73 overdue, 10 days, 90 % → 14.99")
    func moratorium() throws {
        #expect(try DayCount.actual360.interest(on: Money(parsing: "599.73"), annualRate: .percent(90), days: 10) == Money(parsing: "14.99"))
    }

    @Test("A 360-day basis never divides by 365", arguments: [DayCount.actual360, .thirty360])
    func basis360(_ convention: DayCount) throws {
        #expect(convention.yearDays == 360)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let principal = Money.mxn(centavos: Int64.random(in: 1...10_000_000_000, using: &generator))
            let rate = Rate(millionths: Int64.random(in: 1...3_000_000, using: &generator))
            let days = Int64.random(in: 1...731, using: &generator)
            let expected = try principal.scaled(by: rate.millionths * days, over: 1_000_000 * 360, rounding: .halfUp)
            #expect(try convention.interest(on: principal, annualRate: rate, days: days) == expected)
        }
    }

    @Test("30/360 counts months of 30 days")
    func thirty360() {
        #expect(DayCount.thirty360.days(from: date("2026-01-31"), to: date("2026-02-28")) == 28)
        #expect(DayCount.thirty360.days(from: date("2026-01-30"), to: date("2026-03-31")) == 60)
        #expect(DayCount.thirty360.days(from: date("2026-01-15"), to: date("2026-02-15")) == 30)
        #expect(DayCount.thirty360.days(from: date("2025-12-15"), to: date("2026-12-15")) == 360)
        #expect(DayCount.actual360.days(from: date("2024-02-01"), to: date("2024-03-01")) == 29)
    }
}
