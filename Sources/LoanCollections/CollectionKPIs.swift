import CarteraCore

/// Collection KPIs beyond the delinquency report (`../shared/notes/collections.md` §3).
public enum CollectionKPIs {
    /// Collection Effectiveness Index for a period, in basis points (half up):
    /// (beginning receivables + disbursed − ending receivables) ÷ (beginning receivables + disbursed − ending current
    /// receivables). Receivables are outstanding principal; current ones are those of loans not past due. Nil when the
    /// denominator is not positive (nothing was collectable).
    public static func ceiBasisPoints(beginning: Int64, disbursed: Int64, endingTotal: Int64, endingCurrent: Int64) -> Int? {
        let collected = beginning + disbursed - endingTotal
        let collectable = beginning + disbursed - endingCurrent
        guard collectable > 0 else { return nil }
        return Int((Int128(collected) * 20_000 + Int128(collectable)) / (2 * Int128(collectable)))
    }

    /// How cash flow is grouped.
    public enum Period: String, Sendable, Codable, CaseIterable {
        case week = "semana"
        case month = "mes"

        /// The first day of the period `date` falls in (weeks start on Monday).
        public func start(of date: CalendarDate) -> CalendarDate {
            switch self {
            case .month: return CalendarDate(year: date.year, month: date.month, day: 1)!
            case .week:
                // 1970-01-05 was a Monday.
                let monday = CalendarDate(year: 1970, month: 1, day: 5)!
                let offset = ((monday.days(until: date) % 7) + 7) % 7
                return date.adding(days: -offset)
            }
        }

        public func next(after start: CalendarDate) -> CalendarDate {
            switch self {
            case .month: start.adding(months: 1)
            case .week: start.adding(days: 7)
            }
        }
    }

    /// One period of projected against actual cash flow, centavos.
    public struct CashFlowLine: Sendable, Hashable, Codable {
        public let start: CalendarDate
        public let projected: Int64
        public let actual: Int64
        /// actual ÷ projected in basis points, half up; nil when nothing was projected.
        public var collectedBasisPoints: Int? {
            projected > 0 ? Int((Int128(actual) * 20_000 + Int128(projected)) / (2 * Int128(projected))) : nil
        }
    }

    /// Scheduled installment payments (projected) against payments received (actual), by period, from `from` to `to`
    /// (both included; the first and last periods may be partial).
    public static func cashFlow(
        scheduled: [(due: CalendarDate, amount: Int64)], payments: [(date: CalendarDate, amount: Int64)], from: CalendarDate, to: CalendarDate, by period: Period
    ) -> [CashFlowLine] {
        guard from <= to else { return [] }
        var projected: [CalendarDate: Int64] = [:]
        var actual: [CalendarDate: Int64] = [:]
        for item in scheduled where item.due >= from && item.due <= to { projected[period.start(of: item.due), default: 0] += item.amount }
        for item in payments where item.date >= from && item.date <= to { actual[period.start(of: item.date), default: 0] += item.amount }
        var lines: [CashFlowLine] = []
        var start = period.start(of: from)
        while start <= to {
            lines.append(CashFlowLine(start: start, projected: projected[start] ?? 0, actual: actual[start] ?? 0))
            start = period.next(after: start)
        }
        return lines
    }
}
