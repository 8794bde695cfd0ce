import CarteraCore

/// How often a loan is paid, and the conventions that follow from it.
///
/// Periodic rate from a simple annual rate (documented default, configurable per product later): mensual annual/12,
/// quincenal annual/24, catorcenal annual × 14/360, semanal annual × 7/360. For the CAT, time in years is
/// k / periods per year: 12, 24, 26, 52.
public enum Frequency: String, Sendable, Hashable, Codable, CaseIterable {
    case semanal, catorcenal, quincenal, mensual

    /// The periodic rate as an exact fraction of the annual rate: (numerator, denominator) with `annual × n / d`.
    public var periodFraction: (numerator: Int64, denominator: Int64) {
        switch self {
        case .mensual: (1, 12)
        case .quincenal: (1, 24)
        case .catorcenal: (14, 360)
        case .semanal: (7, 360)
        }
    }

    public var periodsPerYear: Int {
        switch self {
        case .mensual: 12
        case .quincenal: 24
        case .catorcenal: 26
        case .semanal: 52
        }
    }

    /// The due date of installment `k` (1-based) for a loan starting on `start`: calendar months for mensual (the day
    /// clamped to the month's end), 15 days for quincenal, 14 for catorcenal, 7 for semanal.
    public func dueDate(_ k: Int, from start: CalendarDate) -> CalendarDate {
        switch self {
        case .mensual: return start.adding(months: k)
        case .quincenal: return start.adding(days: Int64(15 * k))
        case .catorcenal: return start.adding(days: Int64(14 * k))
        case .semanal: return start.adding(days: Int64(7 * k))
        }
    }
}
