import CarteraCore
import Foundation
import Lending
import SQLKit
import Store

/// Proves the journal: every entry balances, the journal balances overall, every line belongs to its entry's loan,
/// every account is in the chart, and every disbursed loan's journal balances equal the balances of its position
/// replayed from its events.
public struct LedgerVerification: Sendable {
    let database: Database
    let book: LoanBook

    public init(database: Database, book: LoanBook) {
        self.database = database
        self.book = book
    }

    /// One difference found.
    public struct Problem: Sendable, Encodable, Equatable {
        /// `entry_unbalanced`, `journal_unbalanced`, `line_loan_mismatch`, `unknown_account`, `loan_balance`.
        public let kind: String
        public let entryId: String?
        public let loanId: String?
        public let account: String?
        /// Centavos the loan's position says (or total debits).
        public let expected: Int64?
        /// Centavos the journal says (or total credits).
        public let actual: Int64?
        public let message: String
    }

    public struct Report: Sendable, Encodable {
        public var entries = 0
        public var lines = 0
        public var loans = 0
        public var debits: Int64 = 0
        public var credits: Int64 = 0
        public var problems: [Problem] = []
        public var ok: Bool { problems.isEmpty }
    }

    /// Verifies everything; `progress` is told how many loans of how many have been checked.
    public func run(batchSize: Int = 500, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Report {
        try await database.withConnection { db in
            var report = Report()
            let totals = try await db.raw(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(debit), 0) AS BIGINT) AS d, CAST(COALESCE(SUM(credit), 0) AS BIGINT) AS c FROM journal_lines"
            ).first()
            report.lines = try totals?.decode(column: "n", as: Int.self) ?? 0
            report.debits = try totals?.decode(column: "d", as: Int64.self) ?? 0
            report.credits = try totals?.decode(column: "c", as: Int64.self) ?? 0
            report.entries = try await db.raw("SELECT COUNT(*) AS n FROM journal_entries").first(decodingColumn: "n", as: Int.self) ?? 0
            if report.debits != report.credits {
                report.problems.append(Problem(
                    kind: "journal_unbalanced", entryId: nil, loanId: nil, account: nil, expected: report.debits, actual: report.credits,
                    message: "El diario no cuadra: cargos \(QuoteDocument.amount(.mxn(centavos: report.debits))), abonos \(QuoteDocument.amount(.mxn(centavos: report.credits)))."
                ))
            }
            for row in try await db.raw(
                """
                SELECT e.id, CAST(COALESCE(SUM(l.debit), 0) AS BIGINT) AS d, CAST(COALESCE(SUM(l.credit), 0) AS BIGINT) AS c, COUNT(l.line) AS n
                FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
                GROUP BY e.id HAVING COALESCE(SUM(l.debit), 0) <> COALESCE(SUM(l.credit), 0) OR COUNT(l.line) = 0
                ORDER BY e.id
                """
            ).all() {
                let id = try row.decode(column: "id", as: String.self)
                report.problems.append(Problem(
                    kind: "entry_unbalanced", entryId: id, loanId: nil, account: nil, expected: try row.decode(column: "d", as: Int64.self),
                    actual: try row.decode(column: "c", as: Int64.self), message: "El asiento \(id) no cuadra o no tiene partidas."
                ))
            }
            // A loan's balances are read through its entries, so a line must belong to its entry's loan.
            for row in try await db.raw(
                """
                SELECT l.entry_id, l.loan_id, e.loan_id AS entry_loan FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                WHERE l.loan_id IS DISTINCT FROM e.loan_id ORDER BY l.entry_id, l.line
                """
            ).all() {
                let id = try row.decode(column: "entry_id", as: String.self)
                let loan = try row.decode(column: "loan_id", as: String?.self)
                let entryLoan = try row.decode(column: "entry_loan", as: String?.self)
                report.problems.append(Problem(
                    kind: "line_loan_mismatch", entryId: id, loanId: loan, account: nil, expected: nil, actual: nil,
                    message: "Una partida del asiento \(id) es del crédito \(loan ?? "(ninguno)") y el asiento, del \(entryLoan ?? "(ninguno)")."
                ))
            }
            for code in try await db.raw("SELECT DISTINCT account FROM journal_lines ORDER BY account").all(decodingColumn: "account", as: String.self)
            where LedgerAccount(rawValue: code) == nil {
                report.problems.append(Problem(kind: "unknown_account", entryId: nil, loanId: nil, account: code, expected: nil, actual: nil,
                                               message: "La cuenta \(code) no está en el catálogo."))
            }

            let statuses = LoanStatus.allCases.filter(\.isDisbursed).map(\.rawValue)
            let total = try await db.raw("SELECT COUNT(*) AS n FROM loans WHERE status IN (\(binds: statuses))").first(decodingColumn: "n", as: Int.self) ?? 0
            var after = ""
            while true {
                let rows = try await db.raw(
                    "SELECT \(LoanBook.columns) FROM loans WHERE status IN (\(binds: statuses)) AND id > \(bind: after) ORDER BY id LIMIT \(literal: batchSize)"
                ).all()
                guard !rows.isEmpty else { break }
                let loans = try rows.map { try book.decode($0) }
                let ids = loans.map(\.record.id)
                after = ids.last!
                var journal: [String: [LedgerAccount: Int64]] = [:]
                for row in try await db.raw(
                    """
                    SELECT l.loan_id, l.account, CAST(SUM(l.debit) - SUM(l.credit) AS BIGINT) AS balance
                    FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
                    WHERE e.loan_id IN (\(binds: ids)) AND l.loan_id = e.loan_id GROUP BY l.loan_id, l.account
                    """
                ).all() {
                    guard let account = LedgerAccount(rawValue: try row.decode(column: "account", as: String.self)), account.isLoanAccount else { continue }
                    let balance = try row.decode(column: "balance", as: Int64.self)
                    if balance != 0 { journal[try row.decode(column: "loan_id", as: String.self), default: [:]][account] = balance }
                }
                var events: [String: [LoanEvent]] = [:]
                for row in try await db.raw(
                    "SELECT id, loan_id, sequence, kind, value_date, amount, excess FROM loan_events WHERE loan_id IN (\(binds: ids)) AND reversed_at IS NULL"
                ).all() {
                    events[try row.decode(column: "loan_id", as: String.self), default: []].append(try LoanBook.event(row))
                }
                for loan in loans {
                    report.loans += 1
                    guard let terms = loan.terms, let ledgerDate = loan.ledgerDate else {
                        report.problems.append(Problem(kind: "loan_balance", entryId: nil, loanId: loan.record.id, account: nil, expected: nil, actual: nil,
                                                       message: "El crédito \(loan.record.id) está dispuesto pero no tiene términos ni fecha contable."))
                        continue
                    }
                    let position = try book.replay(terms, events[loan.record.id] ?? [], ledgerDate)
                    let expected = position.ledgerBalances()
                    let actual = journal[loan.record.id] ?? [:]
                    for account in Set(expected.keys).union(actual.keys).sorted() where expected[account, default: 0] != actual[account, default: 0] {
                        let e = expected[account, default: 0]
                        let a = actual[account, default: 0]
                        report.problems.append(Problem(
                            kind: "loan_balance", entryId: nil, loanId: loan.record.id, account: account.rawValue, expected: e, actual: a,
                            message: "Crédito \(loan.record.id), cuenta \(account.rawValue) \(account.name): el crédito dice \(QuoteDocument.amount(.mxn(centavos: e))), el diario \(QuoteDocument.amount(.mxn(centavos: a)))."
                        ))
                    }
                }
                progress?(report.loans, total)
            }
            return report
        }
    }
}
