import CarteraCore
import Foundation
import Lending
import SQLKit
import Store

/// The double-entry journal. Every change of a balance is one entry written here, inside the caller's transaction, and
/// refused unless its debits equal its credits.
public enum Journal {
    /// One line: a signed amount (debit positive, credit negative) on an account, for a loan or for the lender.
    public struct Line: Sendable, Hashable {
        public var account: LedgerAccount
        public var loanID: String?
        public var amount: Int64
    }

    /// An entry before it is written.
    public struct Draft: Sendable {
        public var lenderID: String
        public var loanID: String?
        public var eventID: String?
        /// `disbursement`, `accrual`, `payment`, `reversal`, `write_off`.
        public var kind: String
        public var valueDate: CalendarDate
        public var description: String
        public var lines: [Line]
    }

    /// An entry that would not balance, or has nothing in it. A defect, never an input error.
    public struct Unbalanced: CarteraError {
        public let debits: Int64
        public let credits: Int64
        public var code: String { "journal_unbalanced" }
        public var message: String { "El asiento no cuadra (cargos \(debits), abonos \(credits)); no se registró nada." }
    }

    /// The lines that take a loan's accounts from `before` to `after` (per `LoanPosition.ledgerBalances()`).
    public static func difference(from before: [LedgerAccount: Int64], to after: [LedgerAccount: Int64], loanID: String) -> [Line] {
        Set(before.keys).union(after.keys).sorted().compactMap { account in
            let change = (after[account] ?? 0) - (before[account] ?? 0)
            return change == 0 ? nil : Line(account: account, loanID: loanID, amount: change)
        }
    }

    /// Writes `draft` and returns the entry id; refuses an entry whose debits and credits differ.
    @discardableResult
    public static func post(_ draft: Draft, at now: Timestamp, by actor: String, on db: any SQLDatabase) async throws -> String {
        let lines = draft.lines.filter { $0.amount != 0 }
        let debits = lines.filter { $0.amount > 0 }.reduce(0) { $0 + $1.amount }
        let credits = lines.filter { $0.amount < 0 }.reduce(0) { $0 - $1.amount }
        guard !lines.isEmpty, debits == credits else { throw Unbalanced(debits: debits, credits: credits) }
        let id = "je_" + APIClients.randomHex(bytes: 10)
        try await db.raw(
            """
            INSERT INTO journal_entries (id, lender_id, loan_id, event_id, kind, value_date, description, posted_at, posted_by)
            VALUES (\(bind: id), \(bind: draft.lenderID), \(bind: draft.loanID), \(bind: draft.eventID), \(bind: draft.kind),
                    \(bind: draft.valueDate.text), \(bind: draft.description), \(bind: now.text), \(bind: actor))
            """
        ).run()
        let values = lines.enumerated().map { number, line -> SQLQueryString in
            "(\(bind: id), \(bind: number + 1), \(bind: line.account.rawValue), \(bind: line.loanID), \(bind: max(line.amount, 0)), \(bind: max(-line.amount, 0)))"
        }
        let insert: SQLQueryString = "INSERT INTO journal_lines (entry_id, line, account, loan_id, debit, credit) VALUES " + values.joined(separator: ", ")
        try await db.raw(insert).run()
        return id
    }

    /// A posted entry with its lines, for a loan's page and statement.
    public struct Entry: Sendable, Encodable {
        public struct Row: Sendable, Encodable {
            public let account: String
            public let accountName: String
            public let debit: String
            public let credit: String
        }
        public let id: String
        public let kind: String
        public let valueDate: String
        public let description: String
        public let postedAt: String
        public let postedBy: String
        public let lines: [Row]
    }

    /// The entries of a loan, oldest first.
    public static func entries(loanID: String, on db: any SQLDatabase) async throws -> [Entry] {
        let rows = try await db.raw(
            """
            SELECT e.id, e.kind, e.value_date, e.description, e.posted_at, e.posted_by, l.account, l.debit, l.credit
            FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
            WHERE e.loan_id = \(bind: loanID)
            ORDER BY e.posted_at, e.id, l.line
            """
        ).all()
        var entries: [Entry] = []
        var current: (id: String, head: [String], lines: [Entry.Row])?
        func flush() {
            guard let c = current else { return }
            entries.append(Entry(id: c.id, kind: c.head[0], valueDate: c.head[1], description: c.head[2], postedAt: c.head[3], postedBy: c.head[4], lines: c.lines))
        }
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            if current?.id != id {
                flush()
                current = (id, [
                    try row.decode(column: "kind", as: String.self), try row.decode(column: "value_date", as: String.self),
                    try row.decode(column: "description", as: String.self), try row.decode(column: "posted_at", as: String.self),
                    try row.decode(column: "posted_by", as: String.self),
                ], [])
            }
            let code = try row.decode(column: "account", as: String.self)
            current?.lines.append(Entry.Row(
                account: code, accountName: LedgerAccount(rawValue: code)?.name ?? code,
                debit: QuoteDocument.amount(.mxn(centavos: try row.decode(column: "debit", as: Int64.self))),
                credit: QuoteDocument.amount(.mxn(centavos: try row.decode(column: "credit", as: Int64.self)))
            ))
        }
        flush()
        return entries
    }
}
