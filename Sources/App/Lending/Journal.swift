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
        let entry = try Posting(draft, at: now, by: actor)
        try await write([entry], on: db)
        return entry.id
    }

    /// An entry checked and given its id, ready to be written (alone or with others).
    public struct Posting: Sendable {
        public let id: String
        public let draft: Draft
        public let at: Timestamp
        public let by: String

        /// Checks that the entry has lines and balances. `id`: a given id (the end-of-day close names its entries by loan
        /// and day, so a close run again writes the same ones); a new time-ordered id otherwise.
        public init(_ draft: Draft, at now: Timestamp, by actor: String, id given: String? = nil) throws {
            var checked = draft
            checked.lines = draft.lines.filter { $0.amount != 0 }
            let debits = checked.lines.filter { $0.amount > 0 }.reduce(0) { $0 + $1.amount }
            let credits = checked.lines.filter { $0.amount < 0 }.reduce(0) { $0 - $1.amount }
            guard !checked.lines.isEmpty, debits == credits else { throw Unbalanced(debits: debits, credits: credits) }
            id = given ?? APIClients.timeOrderedID("je_", at: now)
            self.draft = checked
            at = now
            by = actor
        }
    }

    /// Writes checked entries with one statement for the entries and one for their lines (more for a batch that would
    /// pass `rowsPerStatement`, so a statement stays far below the engines' limits on bound values).
    public static func write(_ postings: [Posting], on db: any SQLDatabase) async throws {
        for statement in statements(postings) { try await db.raw(statement).run() }
    }

    /// The statements `write` runs: the entries, then their lines, `rowsPerStatement` rows each. Made apart so a bulk
    /// caller can make them before its write transaction (the close makes them while computing, off the single SQLite
    /// writer). Line numbers, accounts and amounts are literals (integers formatted here, account codes qualify as
    /// `SQLTextLiteral`s); ids and descriptions are bound.
    public static func statements(_ postings: [Posting]) -> [SQLQueryString] {
        guard !postings.isEmpty else { return [] }
        var statements: [SQLQueryString] = []
        let entries = postings.map { p -> SQLQueryString in
            """
            (\(bind: p.id), \(bind: p.draft.lenderID), \(bind: p.draft.loanID), \(bind: p.draft.eventID), \(bind: p.draft.kind),
             \(bind: p.draft.valueDate.text), \(bind: p.draft.description), \(bind: p.at.text), \(bind: p.by))
            """
        }
        for start in stride(from: 0, to: entries.count, by: rowsPerStatement) {
            let rows = entries[start..<min(start + rowsPerStatement, entries.count)]
            statements.append(
                "INSERT INTO journal_entries (id, lender_id, loan_id, event_id, kind, value_date, description, posted_at, posted_by) VALUES \(rows.joined(separator: ", "))"
            )
        }
        let lines = postings.flatMap { p in
            p.draft.lines.enumerated().map { number, line -> SQLQueryString in
                "(\(bind: p.id), \(unsafeRaw: String(number + 1)), \(SQLTextLiteral.expression(line.account.rawValue)), \(bind: line.loanID), \(unsafeRaw: String(max(line.amount, 0))), \(unsafeRaw: String(max(-line.amount, 0))))"
            }
        }
        for start in stride(from: 0, to: lines.count, by: rowsPerStatement) {
            let rows = lines[start..<min(start + rowsPerStatement, lines.count)]
            statements.append("INSERT INTO journal_lines (entry_id, line, account, loan_id, debit, credit) VALUES \(rows.joined(separator: ", "))")
        }
        return statements
    }

    /// At most this many rows an insert: 9 values a row at most, 9,000 values (SQLite allows 32,766, PostgreSQL 65,535).
    static let rowsPerStatement = 1_000

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
            ORDER BY e.posted_at, CASE e.kind WHEN 'accrual' THEN 0 ELSE 1 END, e.id, l.line
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
