import CarteraCore
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("Parses and prints YYYY-MM-DD; refuses days that do not exist")
    func parsing() {
        #expect(CalendarDate(text: "2024-02-29")?.text == "2024-02-29")
        #expect(CalendarDate(text: "2023-02-29") == nil)
        #expect(CalendarDate(text: "2026-13-01") == nil)
        #expect(CalendarDate(text: "2026-1-01") == nil)
        #expect(CalendarDate(text: "0000-01-01") == nil)
        #expect(CalendarDate(text: "0001-01-01")?.text == "0001-01-01")
        #expect(CalendarDate(text: "9999-12-31")?.text == "9999-12-31" && CalendarDate(text: "0987-06-05")?.text == "0987-06-05")
    }

    @Test("Day arithmetic agrees with known day numbers")
    func arithmetic() throws {
        let epoch = try #require(CalendarDate(text: "1970-01-01"))
        #expect(epoch.daysSince1970 == 0)
        #expect(try #require(CalendarDate(text: "2000-03-01")).daysSince1970 == 11_017)
        #expect(CalendarDate(daysSince1970: 20_418).text == "2025-11-26")
        #expect(try #require(CalendarDate(text: "2024-02-28")).adding(days: 2).text == "2024-03-01")
        #expect(try #require(CalendarDate(text: "2026-01-01")).days(until: try #require(CalendarDate(text: "2027-01-01"))) == 365)
        #expect(CalendarDate(daysSince1970: -1).text == "1969-12-31")
    }

    @Test("Age in full years")
    func age() throws {
        let born = try #require(CalendarDate(text: "2000-02-29"))
        #expect(born.age(on: try #require(CalendarDate(text: "2018-02-28"))) == 17)
        #expect(born.age(on: try #require(CalendarDate(text: "2018-03-01"))) == 18)
        #expect(born.age(on: try #require(CalendarDate(text: "2024-02-29"))) == 24)
    }
}

@Suite("Timestamp to calendar date")
struct TimestampCalendarDateTests {
    @Test("Mexico's date lags UTC by six hours")
    func offset() throws {
        let instant = try #require(Timestamp(text: "2026-11-27T05:59:59.999Z"))
        #expect(instant.calendarDate(utcOffsetSeconds: -21_600).text == "2026-11-26")
        #expect(instant.adding(seconds: 1).calendarDate(utcOffsetSeconds: -21_600).text == "2026-11-27")
        #expect(try #require(Timestamp(text: "1969-12-31T23:00:00Z")).calendarDate(utcOffsetSeconds: 0).text == "1969-12-31")
    }
}
