import CarteraCore
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store

/// Collection effectiveness between two closed days: the CEI from their snapshots and the loans disbursed between them,
/// and projected against actual cash flow (installments falling due against payments received) by week and by month.
///
/// Read from the totals the close keeps for each day when every day of the period has them: then an installment is
/// projected on its due date only for a loan the close saw that day (active, or ended that day — a loan paid off
/// earlier projects nothing), and payments count as known when their day was closed (one posted later with an earlier
/// value date shows in the account's later days, as in the snapshots). Otherwise (days closed before the close kept
/// totals) it is computed from the snapshots, loans and payments.
public struct CollectionEffectiveness: Sendable, Encodable {
    public let from: String
    public let to: String
    public let ceiBasisPoints: Int?
    /// Outstanding principal on `from`, on `to`, and on `to` of loans not past due; principal disbursed after `from`
    /// through `to` (the loans' amounts), centavos.
    public let beginning: Int64
    public let endingTotal: Int64
    public let endingCurrent: Int64
    public let disbursed: Int64
    public let weekly: [CollectionKPIs.CashFlowLine]
    public let monthly: [CollectionKPIs.CashFlowLine]
    /// Average days to collect the installments paid late in the period (nil when none was, or when the period's days
    /// were closed before the close kept totals).
    public let daysToCollect: DaysToCollect?

    /// Computes it for the lender; both days must be closed and `from` before `to`.
    public static func compute(lenderID: String, from: CalendarDate, to: CalendarDate, database: Database) async throws -> CollectionEffectiveness {
        guard from < to else { throw CollectionRefusal("period_invalid", "El inicio del periodo debe ser anterior a su fin.") }
        return try await database.withConnection { db in
            for day in [from, to] where try await !CollectionReports.isClosed(lenderID: lenderID, date: day, on: db) {
                throw CollectionRefusal("day_not_closed", "El \(day.text) no está cerrado; ejecute cartera close-day --date \(day.text) o elija un día cerrado.")
            }
            // From the totals the close kept for every day of the period (one row a day), when it kept them.
            let kept = try await CollectionReports.totals(lenderID: lenderID, from: from, through: to, on: db)
            let days = (0...(to.daysSince1970 - from.daysSince1970)).map { from.adding(days: $0) }
            let totals = days.compactMap { kept[$0] ?? nil }
            if totals.count == days.count, let first = totals.first, let last = totals.last {
                let period = totals.dropFirst()
                let disbursed = period.reduce(Int64(0)) { $0 + $1.disbursed }
                let scheduled = period.map { (due: $0.date, amount: $0.scheduled) }
                let payments = period.map { (date: $0.date, amount: $0.collected) }
                let start = from.adding(days: 1)
                return CollectionEffectiveness(
                    from: from.text, to: to.text,
                    ceiBasisPoints: CollectionKPIs.ceiBasisPoints(
                        beginning: first.active.principal, disbursed: disbursed, endingTotal: last.active.principal, endingCurrent: last.current.principal
                    ),
                    beginning: first.active.principal, endingTotal: last.active.principal, endingCurrent: last.current.principal, disbursed: disbursed,
                    weekly: CollectionKPIs.cashFlow(scheduled: scheduled, payments: payments, from: start, to: to, by: .week),
                    monthly: CollectionKPIs.cashFlow(scheduled: scheduled, payments: payments, from: start, to: to, by: .month),
                    daysToCollect: DaysToCollect(histogram: period.reduce(into: [Int: DelinquencyTotals.Tally]()) { histogram, day in
                        for (days, tally) in day.latePaid {
                            histogram[days, default: .init()].loans += tally.loans
                            histogram[days, default: .init()].principal += tally.principal
                        }
                    })
                )
            }
            func sum(_ date: CalendarDate, currentOnly: Bool) async throws -> Int64 {
                let filter: SQLQueryString = currentOnly ? " AND days_past_due = 0" : ""
                return try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(principal_outstanding), 0) AS BIGINT) AS total FROM loan_snapshots
                    WHERE lender_id = \(bind: lenderID) AND snapshot_date = \(bind: date.text) AND status = 'active'\(filter)
                    """
                ).first(decodingColumn: "total", as: Int64.self) ?? 0
            }
            let beginning = try await sum(from, currentOnly: false)
            let endingTotal = try await sum(to, currentOnly: false)
            let endingCurrent = try await sum(to, currentOnly: true)
            let disbursed = try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM loans WHERE lender_id = \(bind: lenderID) AND disbursed_on > \(bind: from.text)
                    AND disbursed_on <= \(bind: to.text)
                """
            ).first(decodingColumn: "total", as: Int64.self) ?? 0
            // Installments of every disbursed loan that fall due in the period (as scheduled), and payments received.
            var scheduled: [(due: CalendarDate, amount: Int64)] = []
            for text in try await db.raw(
                "SELECT terms FROM loans WHERE lender_id = \(bind: lenderID) AND disbursed_on IS NOT NULL AND disbursed_on <= \(bind: to.text) AND terms IS NOT NULL"
            ).all(decodingColumn: "terms", as: String.self) {
                let terms = try JSONDecoder().decode(LoanTerms.self, from: Data(text.utf8))
                for installment in terms.schedule where installment.dueDate > from && installment.dueDate <= to {
                    scheduled.append((installment.dueDate, installment.payment.minorUnits))
                }
            }
            var payments: [(date: CalendarDate, amount: Int64)] = []
            for row in try await db.raw(
                """
                SELECT e.value_date, e.amount FROM loan_events e JOIN loans l ON l.id = e.loan_id
                WHERE l.lender_id = \(bind: lenderID) AND e.kind = 'payment' AND e.reversed_at IS NULL AND e.value_date > \(bind: from.text) AND e.value_date <= \(bind: to.text)
                """
            ).all() {
                if let date = CalendarDate(text: try row.decode(column: "value_date", as: String.self)) { payments.append((date, try row.decode(column: "amount", as: Int64.self))) }
            }
            let start = from.adding(days: 1)
            return CollectionEffectiveness(
                from: from.text, to: to.text,
                ceiBasisPoints: CollectionKPIs.ceiBasisPoints(beginning: beginning, disbursed: disbursed, endingTotal: endingTotal, endingCurrent: endingCurrent),
                beginning: beginning, endingTotal: endingTotal, endingCurrent: endingCurrent, disbursed: disbursed,
                weekly: CollectionKPIs.cashFlow(scheduled: scheduled, payments: payments, from: start, to: to, by: .week),
                monthly: CollectionKPIs.cashFlow(scheduled: scheduled, payments: payments, from: start, to: to, by: .month),
                daysToCollect: nil
            )
        }
    }
}
