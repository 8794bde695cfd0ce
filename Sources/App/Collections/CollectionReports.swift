import CarteraCore
import Foundation
import HTTPTypes
import LoanCollections
import SQLKit
import Store

/// Collections reports, computed from the daily snapshots the end-of-day close writes (never from live balances, so a
/// report of a past day always reads the same).
public struct CollectionReports: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Whether the lender's close of `date` finished (its snapshots are all written).
    static func isClosed(lenderID: String, date: CalendarDate, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw(
            "SELECT status FROM close_runs WHERE lender_id = \(bind: lenderID) AND business_date = \(bind: date.text) AND status = 'done'"
        ).first() != nil
    }

    /// Delinquency on `date` (a closed day), compared with `from` (an earlier closed day) for roll and cure rates.
    public func delinquency(lenderID: String, date: CalendarDate, from: CalendarDate? = nil) async throws -> DelinquencyReport {
        try await database.withConnection { db in
            guard try await Self.isClosed(lenderID: lenderID, date: date, on: db) else {
                throw APIError(
                    status: .notFound, code: "day_not_closed",
                    message: "El \(date.text) no está cerrado: no hay fotos de la cartera de ese día. Ejecute el cierre (cartera close-day --date \(date.text)) o elija un día cerrado."
                )
            }
            let buckets = try await CollectionSettings.buckets(lenderID: lenderID, on: db)
            // From the totals the close kept (one row a day), when it kept them against the day asked for.
            if let from, from < date {
                let kept = try await Self.totals(lenderID: lenderID, from: from, through: date, on: db)
                if let day = kept[date] ?? nil, let earlier = kept[from] ?? nil, day.movement?.comparedWith == from {
                    return DelinquencyReport(totals: day, earlier: earlier, buckets: buckets)
                }
            } else if from == nil, let day = try await Self.totals(lenderID: lenderID, from: date, through: date, on: db)[date] ?? nil {
                return DelinquencyReport(totals: day, buckets: buckets)
            }
            let day = try await Self.snapshots(lenderID: lenderID, date: date, on: db)
            var earlier: (CalendarDate, [LoanSnapshot])?
            if let from {
                guard from < date else {
                    throw APIError(status: .unprocessableContent, code: "from_not_before_date", message: "La fecha de comparación debe ser anterior al \(date.text).")
                }
                earlier = (from, try await Self.snapshots(lenderID: lenderID, date: from, on: db))
            }
            return DelinquencyReport(date: date, day: day, earlier: earlier, buckets: buckets)
        }
    }

    /// The snapshots of one day.
    static func snapshots(lenderID: String, date: CalendarDate, on db: any SQLDatabase) async throws -> [LoanSnapshot] {
        try await db.raw(
            "SELECT \(snapshotColumns) FROM loan_snapshots WHERE lender_id = \(bind: lenderID) AND snapshot_date = \(bind: date.text)"
        ).all().map(snapshot)
    }

    /// The columns `snapshot(_:)` reads.
    static let snapshotColumns: SQLQueryString = """
        snapshot_date, loan_id, client_id, product_code, disbursed_on, status, days_past_due, bucket, non_performing, restructured,
            principal_outstanding, overdue_principal, overdue_interest, overdue_charges, amount_due, installments_overdue, next_due_date, late_installments
        """

    /// The totals the close kept for each closed day from `first` through `last` (nil for a day closed before the close
    /// kept them), by day.
    static func totals(lenderID: String, from first: CalendarDate, through last: CalendarDate, on db: any SQLDatabase) async throws -> [CalendarDate: DelinquencyTotals?] {
        var days: [CalendarDate: DelinquencyTotals?] = [:]
        for row in try await db.raw(
            """
            SELECT business_date, totals FROM close_runs WHERE lender_id = \(bind: lenderID) AND status = 'done'
                AND business_date >= \(bind: first.text) AND business_date <= \(bind: last.text)
            """
        ).all() {
            guard let day = CalendarDate(text: try row.decode(column: "business_date", as: String.self)) else { continue }
            days[day] = try EndOfDayClose.totals(try row.decode(column: "totals", as: String?.self))
        }
        return days
    }

    /// A snapshot row as stored.
    static func snapshot(_ row: any SQLRow) throws -> LoanSnapshot {
        func date(_ column: String) throws -> CalendarDate {
            let text = try row.decode(column: column, as: String.self)
            guard let date = CalendarDate(text: text) else { throw APIError(status: .internalServerError, code: "snapshot_invalid", message: "Fecha inválida en una foto diaria.") }
            return date
        }
        return LoanSnapshot(
            date: try date("snapshot_date"), loanID: try row.decode(column: "loan_id", as: String.self), clientID: try row.decode(column: "client_id", as: String.self),
            productCode: try row.decode(column: "product_code", as: String.self), disbursedOn: try date("disbursed_on"),
            status: try row.decode(column: "status", as: String.self), daysPastDue: try row.decode(column: "days_past_due", as: Int.self),
            bucket: try row.decode(column: "bucket", as: String.self), nonPerforming: try row.decode(column: "non_performing", as: Bool.self),
            restructured: try row.decode(column: "restructured", as: Bool.self), principalOutstanding: try row.decode(column: "principal_outstanding", as: Int64.self),
            overduePrincipal: try row.decode(column: "overdue_principal", as: Int64.self), overdueInterest: try row.decode(column: "overdue_interest", as: Int64.self),
            overdueCharges: try row.decode(column: "overdue_charges", as: Int64.self), amountDue: try row.decode(column: "amount_due", as: Int64.self),
            installmentsOverdue: try row.decode(column: "installments_overdue", as: Int.self),
            lateInstallments: try row.decode(column: "late_installments", as: Int.self),
            nextDueDate: try row.decode(column: "next_due_date", as: String?.self).flatMap(CalendarDate.init(text:))
        )
    }
}
