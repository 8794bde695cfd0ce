/// How a product turns its annual rate into a periodic rate, and how its CAT measures time. Each product chooses; the
/// defaults are the documented Cartera convention.
public enum RateConvention: String, Sendable, Hashable, Codable, CaseIterable {
    /// Mexican commercial practice (default): mensual annual/12, quincenal annual/24, catorcenal annual × 14/360,
    /// semanal annual × 7/360.
    case commercial
    /// The period's days over the product's year: 30, 15, 14 or 7 days over 360 or 365 (on a 360-day basis the same as
    /// `commercial`; on Actual/365, mensual is annual × 30/365).
    case dayBasis = "day_basis"
    /// The annual rate over the periods in a year: 12, 24, 26, 52.
    case periodsPerYear = "periods_per_year"

    /// The periodic rate as an exact fraction of the annual rate: `annual × numerator / denominator`.
    public func fraction(for frequency: Frequency, yearDays: Int64) -> (numerator: Int64, denominator: Int64) {
        switch self {
        case .commercial: frequency.periodFraction
        case .dayBasis: (frequency.nominalDays, yearDays)
        case .periodsPerYear: (1, Int64(frequency.periodsPerYear))
        }
    }

    public var label: String {
        switch self {
        case .commercial: "Comercial: anual/12, /24, ×14/360, ×7/360"
        case .dayBasis: "Días del periodo sobre la base del producto (30, 15, 14, 7 días)"
        case .periodsPerYear: "Anual entre periodos del año (12, 24, 26, 52)"
        }
    }
}

/// How the CAT measures the time of each payment.
public enum CATTimeBasis: String, Sendable, Hashable, Codable, CaseIterable {
    /// k / periods per year (12, 24, 26, 52) for regular schedules (default, Banxico's rule for regular payments).
    case periods
    /// Days from the disbursement to each due date over 365 (Banxico's rule for irregular dates).
    case days365 = "days_365"

    public var label: String {
        switch self {
        case .periods: "Periodos regulares: k/12, k/24, k/26, k/52"
        case .days365: "Días naturales entre 365"
        }
    }
}

extension Frequency {
    /// The nominal days of a period: 30, 15, 14 or 7.
    public var nominalDays: Int64 {
        switch self {
        case .mensual: 30
        case .quincenal: 15
        case .catorcenal: 14
        case .semanal: 7
        }
    }
}
