/// A date on the proleptic Gregorian calendar without a time or a time zone: a birth date, a business date, a due
/// date. Written `YYYY-MM-DD` everywhere (storage, JSON, command line).
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// nil when the day does not exist (2026-02-30) or the year is outside 1–9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), GregorianCalendar.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A `YYYY-MM-DD` date read from `bytes[from..<to]` in place (for parsers that read many rows of stored text).
    public init?(bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        guard to - from == 10, bytes[from + 4] == UInt8(ascii: "-"), bytes[from + 7] == UInt8(ascii: "-"),
            let year = JSONMember.integer(bytes, from: from, to: from + 4), let month = JSONMember.integer(bytes, from: from + 5, to: from + 7),
            let day = JSONMember.integer(bytes, from: from + 8, to: to), year >= 0, month >= 0, day >= 0
        else { return nil }
        self.init(year: Int(year), month: Int(month), day: Int(day))
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(text: String) {
        let c = Array(text.utf8)
        guard c.count == 10, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard c[index] >= 0x30, c[index] <= 0x39 else { return nil }
                value = value * 10 + Int(c[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date `days` days after 1970-01-01.
    public init(daysSince1970 days: Int64) {
        let civil = Timestamp.civil(fromDays: days)
        year = Int(civil.year)
        month = Int(civil.month)
        day = Int(civil.day)
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSince1970: Int64 { Timestamp.days(fromCivil: Int64(year), Int64(month), Int64(day)) }

    /// `YYYY-MM-DD`.
    public var text: String {
        if (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) {
            // Written digit by digit into one small string (every snapshot row and posting writes dates).
            return String(unsafeUninitializedCapacity: 10) { buffer in
                func put(_ value: Int, at offset: Int, width: Int) {
                    var rest = value
                    for index in stride(from: offset + width - 1, through: offset, by: -1) {
                        buffer[index] = UInt8(0x30 + rest % 10)
                        rest /= 10
                    }
                }
                put(year, at: 0, width: 4)
                buffer[4] = UInt8(ascii: "-")
                put(month, at: 5, width: 2)
                buffer[7] = UInt8(ascii: "-")
                put(day, at: 8, width: 2)
                return 10
            }
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public var description: String { text }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int64) -> CalendarDate { CalendarDate(daysSince1970: daysSince1970 + days) }

    /// The same day `months` calendar months later (earlier when negative), clamped to the end of a shorter month
    /// (January 31 + 1 month = February 28 or 29).
    public func adding(months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        // Years are positive, so the month index is too.
        let (newYear, newMonth) = (index / 12, index % 12 + 1)
        var newDay = day
        while CalendarDate(year: newYear, month: newMonth, day: newDay) == nil, newDay > 28 { newDay -= 1 }
        return CalendarDate(year: newYear, month: newMonth, day: newDay) ?? self
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: CalendarDate) -> Int64 { other.daysSince1970 - daysSince1970 }

    /// Full years of age on `date` of someone born on `self` (a 29 February birthday counts on 1 March in common years).
    public func age(on date: CalendarDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD, got \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension Timestamp {
    /// The calendar date of this instant at a fixed offset from UTC (−21,600 s for central Mexico, which has kept
    /// UTC−6 all year since 2022).
    public func calendarDate(utcOffsetSeconds: Int64) -> CalendarDate {
        CalendarDate(daysSince1970: Self.floorDivide(millisecondsSince1970 + utcOffsetSeconds * 1000, 86_400_000).0)
    }
}
