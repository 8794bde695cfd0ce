import CarteraCore
import Testing

@Suite("Calendar months")
struct CalendarDateMonthsTests {
    @Test("Adding months keeps the day, clamped to a shorter month's end, across years both ways")
    func months() {
        func date(_ text: String) -> CalendarDate { CalendarDate(text: text)! }
        #expect(date("2026-01-31").adding(months: 1) == date("2026-02-28"))
        #expect(date("2028-01-31").adding(months: 1) == date("2028-02-29"))
        #expect(date("2026-12-15").adding(months: 1) == date("2027-01-15"))
        #expect(date("2026-03-31").adding(months: -1) == date("2026-02-28"))
        #expect(date("2026-01-10").adding(months: -1) == date("2025-12-10"))
        #expect(date("2026-05-31").adding(months: -15) == date("2025-02-28"))
        #expect(date("2026-05-20").adding(months: 0) == date("2026-05-20"))
    }
}
