import CarteraCore
import CarteraSecurity
import Crypto
import Foundation
import HTTPTypes
import Reconciliation
import SQLKit
import Store

/// Bank statements brought in from files (and later bank APIs): read by `Reconciliation`, checked, and stored line by
/// line once per bank account and natural key — importing the same file twice, or overlapping ones, adds nothing.
/// Everything of one file is stored in one transaction; a file that cannot be read stores nothing.
public struct StatementImports: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// What an import did (the `--json` summary).
    public struct Summary: Sendable, Encodable, Equatable {
        public var importId: String
        public var format: String
        public var statements: Int
        /// Lines read.
        public var entries: Int
        /// Lines already stored by an earlier import (or twice in this file).
        public var duplicates: Int
        /// Lines stored now.
        public var added: Int
        /// Money in and out over the lines read, as decimal text.
        public var credits: String
        public var debits: String
        public var warnings: [String]
    }

    /// The lender statements are imported for: the one named, or the only one there is (command line).
    public func lender(_ requested: String?) async throws -> String {
        try await database.withConnection { db in try await Administration.resolveLender(requested, on: db) }
    }

    /// How many lines go in one insert.
    static let chunk = 400

    /// Reads and stores `data`. `format` nil: recognised; `profile` for CSV; `account` for files that name none.
    public func importFile(
        _ data: Data, fileName: String, format: StatementFormat? = nil, profile: CSVProfile? = nil, account: String? = nil, lenderID: String,
        actor: Administration.Actor, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> Summary {
        let statements: [BankStatement]
        do {
            statements = try StatementReader.read(data, format: format, profile: profile, account: account)
        } catch {
            throw APIError(status: .unprocessableContent, code: error.code, message: error.message)
        }
        let fileDigest = ByteEncoding.hex(Array(SHA256.hash(data: data)))
        return try await store(
            statements, source: String(fileName.suffix(200)), digest: fileDigest, format: statements.first?.format.rawValue ?? format?.rawValue ?? "?",
            profile: profile?.name, lenderID: lenderID, actor: actor, progress: progress
        )
    }

    /// Stores statements however they came (a file, a bank's API): each line once per account and natural key, all in
    /// one transaction, with the import's record and audit entry.
    func store(
        _ statements: [BankStatement], source name: String, digest fileDigest: String, format formatName: String, profile: String?, lenderID: String,
        actor: Administration.Actor, progress: (@Sendable (Int, Int) -> Void)?
    ) async throws -> Summary {
        let now = clock()
        let importID = APIClients.timeOrderedID("imp_", at: now)
        let warnings = Self.warnings(statements)
        let (credits, debits) = statements.reduce((Int64(0), Int64(0))) { sum, statement in
            (sum.0 + statement.bookedTotals.credits, sum.1 + statement.bookedTotals.debits)
        }
        // Lines: a batched entry counts as its transactions.
        let total = statements.reduce(0) { $0 + $1.entries.reduce(0) { $0 + max(1, $1.transactions.count) } }
        let cipher = keys.cipher
        let added = try await database.transaction { db -> Int in
            try await db.raw(
                """
                INSERT INTO statement_imports (id, lender_id, file_name, file_sha256, format, profile, statements, entries, added, duplicates, credits, debits,
                    warnings, imported_at, imported_by)
                VALUES (\(bind: importID), \(bind: lenderID), \(bind: name), \(bind: fileDigest), \(bind: formatName), \(bind: profile), \(bind: statements.count),
                    \(bind: total), 0, 0, \(bind: credits), \(bind: debits), \(bind: Self.json(warnings)), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            var added = 0
            var done = 0
            for (number, statement) in statements.enumerated() {
                let accountID = try await Self.account(statement, lenderID: lenderID, at: now, on: db)
                // The balance the bank states at the statement's end, for the daily comparison with the ledger.
                if let closing = statement.closing, !closing.intermediate,
                   let date = closing.date ?? statement.entries.compactMap({ $0.bookingDate ?? $0.valueDate }).max() {
                    try await db.raw(
                        """
                        INSERT INTO bank_account_balances (id, lender_id, bank_account_id, balance_date, amount, currency, source, import_id, recorded_at)
                        VALUES (\(bind: APIClients.timeOrderedID("bab_", at: now)), \(bind: lenderID), \(bind: accountID), \(bind: date.text), \(bind: closing.amount),
                            \(bind: closing.currency), \(bind: "\(statement.format.rawValue):\(statement.id ?? "\(importID)-\(number)")"), \(bind: importID), \(bind: now.text))
                        ON CONFLICT (bank_account_id, balance_date, source) DO NOTHING
                        """
                    ).run()
                }
                // A batched entry is stored as its transactions (each reconciled on its own).
                var lines = statement.entries.flatMap { $0.transactions.isEmpty ? [$0] : $0.transactions }
                // camt movements imported before their keys carried amount and state were keyed by the bank's reference
                // alone: one already stored so is a duplicate, not a new line.
                if [.camt052, .camt053, .camt054].contains(statement.format) {
                    let legacy = Dictionary(grouping: lines.indices, by: { Self.legacyCamtKey(lines[$0], account: statement.account) })
                    let hashes = legacy.keys.compactMap { $0 }.map { ByteEncoding.hex(Array(SHA256.hash(data: Array($0.utf8)))) }
                    // The same movement in the same state (a pending one stored before does not hide it booked).
                    var stored: [String: (status: String, amount: Int64)] = [:]
                    for start in stride(from: 0, to: hashes.count, by: Self.chunk) {
                        let batch = SQLList(hashes[start..<min(hashes.count, start + Self.chunk)].map { SQLBind($0) })
                        for row in try await db.raw(
                            "SELECT key_hash, status, amount FROM bank_statement_lines WHERE bank_account_id = \(bind: accountID) AND key_hash IN (\(batch))"
                        ).all() {
                            stored[try row.decode(column: "key_hash", as: String.self)] = (try row.decode(column: "status", as: String.self), try row.decode(column: "amount", as: Int64.self))
                        }
                    }
                    if !stored.isEmpty {
                        lines = lines.filter { line in
                            guard let key = Self.legacyCamtKey(line, account: statement.account),
                                  let old = stored[ByteEncoding.hex(Array(SHA256.hash(data: Array(key.utf8))))]
                            else { return true }
                            return old.status != line.status.rawValue || (line.transactions.isEmpty && old.amount != line.amount && !line.naturalKey.contains("|tx|"))
                        }
                    }
                }
                for start in stride(from: 0, to: lines.count, by: Self.chunk) {
                    let slice = lines[start..<min(lines.count, start + Self.chunk)]
                    var rows: [SQLQueryString] = []
                    for entry in slice {
                        let id = APIClients.timeOrderedID("bsl_", at: now)
                        let hash = ByteEncoding.hex(Array(SHA256.hash(data: Array(entry.naturalKey.utf8))))
                        func sealed(_ value: String?, _ column: String) -> String? {
                            value.map { cipher.encrypt($0, field: "bank_statement_lines.\(column)") }
                        }
                        rows.append(
                            """
                            (\(bind: id), \(bind: lenderID), \(bind: accountID), \(bind: hash), \(bind: importID), \(bind: statement.format.rawValue), \(bind: statement.id),
                            \(bind: entry.index), \(bind: entry.bookingDate?.description), \(bind: entry.valueDate?.description), \(bind: entry.amount), \(bind: entry.currency),
                            \(bind: entry.status.rawValue), \(bind: entry.isReversal), \(bind: entry.bankReference), \(bind: entry.entryReference), \(bind: entry.endToEndID),
                            \(bind: entry.transactionCode), \(bind: sealed(entry.counterpartyName, "counterparty_name")),
                            \(bind: sealed(entry.counterpartyAccount, "counterparty_account")), \(bind: sealed(entry.remittance, "remittance")),
                            \(bind: sealed(entry.description, "description")), 'unmatched', \(bind: now.text))
                            """
                        )
                    }
                    let inserted = try await db.raw(
                        """
                        INSERT INTO bank_statement_lines (id, lender_id, bank_account_id, key_hash, import_id, source, statement_id, position, booking_date, value_date,
                            amount, currency, status, reversal, bank_reference, entry_reference, end_to_end_id, transaction_code, counterparty_name,
                            counterparty_account, remittance, description, match_status, created_at)
                        VALUES \(rows.joined(separator: ", "))
                        ON CONFLICT (bank_account_id, key_hash) DO NOTHING RETURNING id
                        """
                    ).all()
                    added += inserted.count
                    done += slice.count
                    progress?(done, total)
                }
            }
            try await db.raw("UPDATE statement_imports SET added = \(bind: added), duplicates = \(bind: total - added) WHERE id = \(bind: importID)").run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "statement.import", objectType: "statement_import", objectID: importID, at: now,
                    change: "\(name) \(fileDigest) \(formatName) \(statements.count) \(total) \(added)"
                ),
                on: db
            )
            return added
        }
        return Summary(
            importId: importID, format: formatName, statements: statements.count, entries: total, duplicates: total - added, added: added,
            credits: Money(minorUnits: credits, currency: .mxn).decimalText, debits: Money(minorUnits: debits, currency: .mxn).decimalText, warnings: warnings
        )
    }

    /// The key a camt line with a bank reference had before keys carried amount and state (`camt|account|ref|R`); a
    /// batched entry's transactions share their entry's.
    static func legacyCamtKey(_ line: StatementEntry, account: String) -> String? {
        let key = line.naturalKey
        guard key.hasPrefix("camt|\(account)|ref|") else { return nil }
        // `camt|account|ref|R|amount|currency|state[|tx|…]`: R may contain `|` only if the bank wrote one (never seen).
        let parts = key.dropFirst("camt|\(account)|ref|".count).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return nil }
        return "camt|\(account)|ref|\(parts[0])"
    }

    /// The lender's bank account with this number, registered the first time a statement of it arrives.
    static func account(_ statement: BankStatement, lenderID: String, at now: Timestamp, on db: any SQLDatabase) async throws -> String {
        let number = String(statement.account.prefix(64))
        if let id = try await db.raw("SELECT id FROM bank_accounts WHERE lender_id = \(bind: lenderID) AND number = \(bind: number)").first(decodingColumn: "id", as: String.self) {
            return id
        }
        let id = APIClients.timeOrderedID("bac_", at: now)
        try await db.raw(
            """
            INSERT INTO bank_accounts (id, lender_id, number, currency, name, created_at)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: number), \(bind: statement.currency ?? "MXN"), \(bind: "Cuenta \(number)"), \(bind: now.text))
            ON CONFLICT (lender_id, number) DO NOTHING
            """
        ).run()
        return try await db.raw("SELECT id FROM bank_accounts WHERE lender_id = \(bind: lenderID) AND number = \(bind: number)").first(decodingColumn: "id", as: String.self) ?? id
    }

    /// What a person should look at: statements whose balances do not add up, pending lines, other currencies.
    static func warnings(_ statements: [BankStatement]) -> [String] {
        var warnings: [String] = []
        for (index, statement) in statements.enumerated() {
            let name = "Estado \(statement.id ?? String(index + 1)) de la cuenta \(statement.account)"
            if let gap = statement.balanceGap, let currency = statement.closing?.currency {
                let difference = Money(minorUnits: gap, currency: .mxn).decimalText
                warnings.append("\(name): saldo inicial + movimientos no da el saldo final (diferencia \(difference) \(currency)); puede faltar un movimiento o un estado.")
            }
            let pending = statement.entries.filter { $0.status != .booked }.count
            if pending == 1 { warnings.append("\(name): 1 movimiento pendiente o informativo; se guarda, pero no se aplica hasta que el banco lo registre.") }
            if pending > 1 { warnings.append("\(name): \(pending) movimientos pendientes o informativos; se guardan, pero no se aplican hasta que el banco los registre.") }
            let foreign = Set(statement.entries.map(\.currency)).subtracting(["MXN", ""])
            if !foreign.isEmpty { warnings.append("\(name): movimientos en \(foreign.sorted().joined(separator: ", ")); se guardan, pero solo se concilian los de MXN.") }
        }
        return warnings
    }

    static func json(_ warnings: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(warnings), as: UTF8.self)) ?? "[]"
    }
}
