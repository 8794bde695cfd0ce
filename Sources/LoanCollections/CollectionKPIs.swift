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

/// Vintage curves: for each cohort of loans disbursed in the same month, the share of its loans (and of the principal
/// disbursed) 30 or more days late, or written off, at each month on book.
public struct VintageCurves: Sendable, Codable, Equatable {
    public struct Cohort: Sendable, Codable, Equatable {
        /// `YYYY-MM` of disbursement.
        public let cohort: String
        public let loans: Int
        public let disbursed: Int64
        /// Index 0 is month on book 1; basis points, half up.
        public let byCountBasisPoints: [Int]
        public let byAmountBasisPoints: [Int]
    }

    public let cohorts: [Cohort]

    /// One loan at one month on book.
    public struct Point: Sendable {
        public let loanID: String
        public let cohort: String
        public let monthsOnBook: Int
        public let disbursed: Int64
        public let late: Bool

        public init(loanID: String, cohort: String, monthsOnBook: Int, disbursed: Int64, late: Bool) {
            self.loanID = loanID
            self.cohort = cohort
            self.monthsOnBook = monthsOnBook
            self.disbursed = disbursed
            self.late = late
        }
    }

    /// Builds the curves; a cohort's curve goes as far as all of its loans have been observed (a point at month 0 only
    /// counts a loan in its cohort).
    public init(points: [Point]) {
        var byCohort: [String: [Point]] = [:]
        for point in points { byCohort[point.cohort, default: []].append(point) }
        cohorts = byCohort.keys.sorted().map { cohort in
            let points = byCohort[cohort]!
            var loans: [String: Int64] = [:]
            for point in points { loans[point.loanID] = point.disbursed }
            let total = loans.values.reduce(0, +)
            var counts: [Int] = [], amounts: [Int] = []
            var month = 1
            while true {
                let observed = points.filter { $0.monthsOnBook == month }
                guard observed.count == loans.count, !observed.isEmpty else { break }
                let late = observed.filter(\.late)
                counts.append((late.count * 20_000 + loans.count) / (2 * loans.count))
                let lateAmount = late.reduce(Int64(0)) { $0 + $1.disbursed }
                amounts.append(total > 0 ? Int((Int128(lateAmount) * 20_000 + Int128(total)) / (2 * Int128(total))) : 0)
                month += 1
            }
            return Cohort(cohort: cohort, loans: loans.count, disbursed: total, byCountBasisPoints: counts, byAmountBasisPoints: amounts)
        }
    }
}
