import CarteraCore
import Foundation
import Lending
import SQLKit
import Store

/// The daily check of the banks against the ledger: the balance each bank account's latest statement states (on or
/// before the date), their sum, and the ledger's Bancos (1102) at the same date; the difference, and the deposits the
/// banks show that the ledger does not have yet (not reconciled), which explain it or not.
public struct BankBalanceCheck: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    public struct AccountBalance: Sendable, Codable, Equatable {
        public let account: String
        public let date: String
        public let balance: String
    }

    public struct PendingLine: Sendable, Codable, Equatable {
        public let id: String
        public let account: String
        public let date: String
        public let amount: String
        public let status: String
    }

    public struct Report: Sendable, Codable, Equatable {
        public let date: String
        public let accounts: [AccountBalance]
        /// Accounts with no statement balance on or before the date.
        public let accountsWithoutBalance: [String]
        public let statements: String
        public let ledger: String
        /// Statements minus ledger.
        public let difference: String
        /// Deposits on or before the date not in the ledger yet.
        public let unreconciledCredits: String
        /// The difference the unreconciled deposits do not explain.
        public let unexplained: String
        public let lines: [PendingLine]
        /// Every MXN account has a statement balance (otherwise Bancos holds money no statement shows: not comparable).
        public var complete: Bool { accountsWithoutBalance.isEmpty }
        public var balanced: Bool { complete && unexplained == "0.00" }
    }

    public func run(lenderID: String, date: CalendarDate) async throws -> Report {
        try await database.withConnection { db in try await Self.compute(lenderID: lenderID, date: date, on: db).report }
    }

    /// A report and the figures it states, in centavos.
    struct Computed {
        let report: Report
        let statements: Int64
        let ledger: Int64
        let unexplained: Int64
    }

    static func compute(lenderID: String, date: CalendarDate, on db: any SQLDatabase) async throws -> Computed {
        var accounts: [AccountBalance] = []
        var missing: [String] = []
        var statements: Int64 = 0
        var dated: [(id: String, number: String, date: String)] = []
        for account in try await db.raw(
            "SELECT id, number FROM bank_accounts WHERE lender_id = \(bind: lenderID) AND currency = 'MXN' ORDER BY number"
        ).all() {
            let id = try account.decode(column: "id", as: String.self)
            let number = try account.decode(column: "number", as: String.self)
            guard let latest = try await db.raw(
                """
                SELECT balance_date, amount FROM bank_account_balances WHERE bank_account_id = \(bind: id) AND balance_date <= \(bind: date.text)
                ORDER BY balance_date DESC, recorded_at DESC LIMIT 1
                """
            ).first() else {
                missing.append(number)
                continue
            }
            let amount = try latest.decode(column: "amount", as: Int64.self)
            let day = try latest.decode(column: "balance_date", as: String.self)
            statements += amount
            dated.append((id, number, day))
            accounts.append(AccountBalance(account: number, date: day, balance: Self.text(amount)))
        }
        let ledger = try await db.raw(
            """
            SELECT CAST(COALESCE(SUM(l.debit) - SUM(l.credit), 0) AS BIGINT) AS b FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
            WHERE e.lender_id = \(bind: lenderID) AND l.account = \(bind: LedgerAccount.banks.rawValue) AND e.value_date <= \(bind: date.text)
            """
        ).first(decodingColumn: "b", as: Int64.self) ?? 0
        var pending: [PendingLine] = []
        var credits: Int64 = 0
        // Each account's deposits not in the ledger yet, up to the date of the balance it stated (MXN only).
        for account in dated {
            for row in try await db.raw(
                """
                SELECT id, COALESCE(value_date, booking_date) AS d, amount, match_status FROM bank_statement_lines
                WHERE bank_account_id = \(bind: account.id) AND status = 'booked' AND amount > 0 AND reversal = \(bind: false)
                    AND (currency = 'MXN' OR currency = '') AND match_status IN ('unmatched', 'review', 'unidentified')
                    AND COALESCE(value_date, booking_date) <= \(bind: account.date)
                ORDER BY d, id
                """
            ).all() {
                let amount = try row.decode(column: "amount", as: Int64.self)
                credits += amount
                if pending.count < 200 {
                    pending.append(PendingLine(
                        id: try row.decode(column: "id", as: String.self), account: account.number, date: try row.decode(column: "d", as: String?.self) ?? "",
                        amount: Self.text(amount), status: try row.decode(column: "match_status", as: String.self)
                    ))
                }
            }
        }
        let difference = statements - ledger
        let report = Report(
            date: date.text, accounts: accounts, accountsWithoutBalance: missing, statements: Self.text(statements), ledger: Self.text(ledger),
            difference: Self.text(difference), unreconciledCredits: Self.text(credits), unexplained: Self.text(difference - credits), lines: pending
        )
        return Computed(report: report, statements: statements, ledger: ledger, unexplained: difference - credits)
    }

    static func text(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits, currency: .mxn).decimalText }
}
