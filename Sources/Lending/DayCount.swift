import CarteraCore

/// How days are counted for interest: the number of days between two dates and the days in a year.
///
/// Actual/360 is the default of Mexican consumer credit contracts (interest = rate ÷ 360 × amount × days); 30/360
/// counts every month as 30 days (the bond-basis rule: a 31st counts as the 30th, and an end date of the 31st counts
/// as the 30th when the start was the 30th or 31st); Actual/365 divides by 365 in every year.
public enum DayCount: String, Sendable, Hashable, Codable, CaseIterable {
    case actual360 = "actual/360"
    case thirty360 = "30/360"
    case actual365 = "actual/365"

    /// Days in the year this convention divides by. A 360-day basis never divides by 365.
    public var yearDays: Int64 {
        switch self {
        case .actual360, .thirty360: 360
        case .actual365: 365
        }
    }

    /// Days from `start` (excluded) to `end` (included) under this convention.
    public func days(from start: CalendarDate, to end: CalendarDate) -> Int64 {
        switch self {
        case .actual360, .actual365:
            return start.days(until: end)
        case .thirty360:
            var d1 = start.day
            var d2 = end.day
            if d1 == 31 { d1 = 30 }
            if d2 == 31 && d1 == 30 { d2 = 30 }
            return Int64(360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1))
        }
    }

    /// Simple interest: principal × annual rate × days ÷ year days, computed exactly and rounded once.
    public func interest(on principal: Money, annualRate: Rate, days: Int64, rounding: RoundingMode = .halfUp) throws(MoneyError) -> Money {
        try principal.scaled(by: annualRate.millionths * days, over: Rate.scale * yearDays, rounding: rounding)
    }
}
