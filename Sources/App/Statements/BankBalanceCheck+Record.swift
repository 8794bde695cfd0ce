import CarteraCore
import CarteraSecurity
import Foundation
import SQLKit
import Store

extension BankBalanceCheck {
    /// A check as it was recorded for a lender and date.
    public struct Recorded: Sendable, Encodable, Equatable {
        public let date: String
        public let balanced: Bool
        public let complete: Bool
        public let statements: String
        public let ledger: String
        public let unexplained: String
        public let checkedAt: String
        public let checkedBy: String
    }

    /// Runs the check for `date` and records it as the lender's result for that date (replacing an earlier run of the
    /// same date). A result that differs from the one recorded before is audited, so an auditor sees when the banks and
    /// the ledger parted and when they met again.
    @discardableResult
    public func record(lenderID: String, date: CalendarDate, actor: Administration.Actor) async throws -> Report {
        let now = clock()
        return try await database.transaction { db in
            let computed = try await Self.compute(lenderID: lenderID, date: date, on: db)
            let report = computed.report
            let previous = try await db.raw(
                "SELECT balanced, complete, unexplained FROM bank_balance_checks WHERE lender_id = \(bind: lenderID) AND check_date = \(bind: date.text)"
            ).first()
            let changed = try previous.map {
                try $0.decode(column: "balanced", as: Bool.self) != report.balanced || $0.decode(column: "complete", as: Bool.self) != report.complete
                    || $0.decode(column: "unexplained", as: Int64.self) != computed.unexplained
            } ?? true
            let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO bank_balance_checks (lender_id, check_date, balanced, complete, statements, ledger, unexplained, report, checked_at, checked_by)
                VALUES (\(bind: lenderID), \(bind: date.text), \(bind: report.balanced), \(bind: report.complete), \(bind: computed.statements),
                        \(bind: computed.ledger), \(bind: computed.unexplained), \(bind: json), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (lender_id, check_date) DO UPDATE SET balanced = excluded.balanced, complete = excluded.complete,
                    statements = excluded.statements, ledger = excluded.ledger, unexplained = excluded.unexplained, report = excluded.report,
                    checked_at = excluded.checked_at, checked_by = excluded.checked_by
                """
            ).run()
            if changed {
                let state = report.balanced ? "cuadra" : report.complete ? "diferencia \(report.unexplained)" : "sin saldo de \(report.accountsWithoutBalance.joined(separator: ", "))"
                try await AuditLog.append(
                    Administration.entry(
                        actor: actor, action: "bank_balance_check.\(report.balanced ? "balanced" : "difference")", objectType: "lender", objectID: lenderID, at: now,
                        change: "\(date.text) \(state)", outcome: report.balanced ? .success : .failure
                    ),
                    on: db
                )
            }
            return report
        }
    }

    /// The lender's recorded checks, newest date first.
    public func history(lenderID: String, limit: Int = 31) async throws -> [Recorded] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT check_date, balanced, complete, statements, ledger, unexplained, checked_at, checked_by FROM bank_balance_checks
                WHERE lender_id = \(bind: lenderID) ORDER BY check_date DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                Recorded(
                    date: try row.decode(column: "check_date", as: String.self), balanced: try row.decode(column: "balanced", as: Bool.self),
                    complete: try row.decode(column: "complete", as: Bool.self), statements: Self.text(try row.decode(column: "statements", as: Int64.self)),
                    ledger: Self.text(try row.decode(column: "ledger", as: Int64.self)), unexplained: Self.text(try row.decode(column: "unexplained", as: Int64.self)),
                    checkedAt: try row.decode(column: "checked_at", as: String.self), checkedBy: try row.decode(column: "checked_by", as: String.self)
                )
            }
        }
    }

    /// Whether the check of `date` was recorded and balanced (nothing left to do for that day).
    func isBalanced(lenderID: String, date: CalendarDate) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT balanced FROM bank_balance_checks WHERE lender_id = \(bind: lenderID) AND check_date = \(bind: date.text)"
            ).first(decodingColumn: "balanced", as: Bool.self) ?? false
        }
    }
}
