import CarteraCore
import SQLKit
import CarteraSecurity

/// Reading and appending the hash-chained audit log.
///
/// `append` runs inside the caller's transaction, so an audited change and its audit entry commit together or not at
/// all. Concurrent appends are ordered by the transaction: SQLite writers are serialised, and on PostgreSQL two
/// serializable transactions that read the same last entry conflict and one is retried.
public enum AuditLog {
    /// Appends an entry after the current last one; `sequence`, `previousHash` and `hash` of `draft` are ignored and
    /// set here. Returns the stored entry.
    @discardableResult
    public static func append(_ draft: AuditEntry, on db: any SQLDatabase) async throws -> AuditEntry {
        if db.dialect.name == "postgresql" {
            try await db.raw("SELECT pg_advisory_xact_lock(\(literal: advisoryLockKey))").run()
        }
        let last = try await db.raw("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first()
        let previous = try last.map { row in
            (sequence: try row.decode(column: "sequence", as: Int64.self), hash: try row.decode(column: "hash", as: String.self))
        }
        let entry = AuditChain.seal(draft, after: previous)
        try await db.raw(
            """
            INSERT INTO audit_log (sequence, occurred_at, actor_kind, actor_id, ip_address, action, object_type, object_id,
                                   outcome, change_digest, request_id, previous_hash, hash)
            VALUES (\(bind: entry.sequence), \(bind: entry.occurredAt.text), \(bind: entry.actorKind.rawValue), \(bind: entry.actorID),
                    \(bind: entry.ipAddress), \(bind: entry.action), \(bind: entry.objectType), \(bind: entry.objectID),
                    \(bind: entry.outcome.rawValue), \(bind: entry.changeDigest), \(bind: entry.requestID),
                    \(bind: entry.previousHash), \(bind: entry.hash))
            """
        ).run()
        return entry
    }

    /// Appends several entries in order, chained to each other, with one read of the chain's end and one insert.
    ///
    /// On PostgreSQL it first takes a transaction-scoped advisory lock, so that transactions running at READ COMMITTED
    /// (payments, which lock their loans instead of relying on serializable retries) append one after another; under
    /// SERIALIZABLE the lock only orders what would otherwise be retried.
    @discardableResult
    public static func append(contentsOf drafts: [AuditEntry], on db: any SQLDatabase) async throws -> [AuditEntry] {
        guard !drafts.isEmpty else { return [] }
        if db.dialect.name == "postgresql" {
            try await db.raw("SELECT pg_advisory_xact_lock(\(literal: advisoryLockKey))").run()
        }
        let last = try await db.raw("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first()
        var previous = try last.map { row in
            (sequence: try row.decode(column: "sequence", as: Int64.self), hash: try row.decode(column: "hash", as: String.self))
        }
        var entries: [AuditEntry] = []
        for draft in drafts {
            let entry = AuditChain.seal(draft, after: previous)
            entries.append(entry)
            previous = (entry.sequence, entry.hash)
        }
        let rows = entries.map { entry -> SQLQueryString in
            """
            (\(bind: entry.sequence), \(bind: entry.occurredAt.text), \(bind: entry.actorKind.rawValue), \(bind: entry.actorID),
             \(bind: entry.ipAddress), \(bind: entry.action), \(bind: entry.objectType), \(bind: entry.objectID),
             \(bind: entry.outcome.rawValue), \(bind: entry.changeDigest), \(bind: entry.requestID),
             \(bind: entry.previousHash), \(bind: entry.hash))
            """
        }
        try await db.raw(
            """
            INSERT INTO audit_log (sequence, occurred_at, actor_kind, actor_id, ip_address, action, object_type, object_id,
                                   outcome, change_digest, request_id, previous_hash, hash)
            VALUES \(rows.joined(separator: ", "))
            """
        ).run()
        return entries
    }

    /// The advisory lock that orders appends on PostgreSQL ("AUDITLOG" in ASCII).
    static let advisoryLockKey: Int64 = 0x4155_4449_544C_4F47

    /// Up to `limit` entries with a sequence greater than `sequence`, in order.
    public static func entries(after sequence: Int64, limit: Int, on db: any SQLDatabase) async throws -> [AuditEntry] {
        try await db.raw(
            "SELECT * FROM audit_log WHERE sequence > \(bind: sequence) ORDER BY sequence LIMIT \(literal: limit)"
        ).all().map(decode)
    }

    /// What `verify` found.
    public struct Verification: Sendable {
        /// The first break, or nil when the chain is intact.
        public let firstBreak: AuditChain.Break?
        /// How many entries were checked.
        public let checked: Int
        /// The last entry's sequence and hash: record them outside the database to detect, later, removal of the tail.
        public let head: (sequence: Int64, hash: String)?
    }

    /// Checks the whole chain in batches. When `expectedHead` (an earlier recorded head) is given, the log must still
    /// contain that entry with that hash.
    public static func verify(
        database: Database,
        expectedHead: (sequence: Int64, hash: String)? = nil,
        batchSize: Int = 1_000,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Verification {
        var previous: (sequence: Int64, hash: String)? = nil
        var checked = 0
        var expectedFound = false
        while true {
            let after = previous?.sequence ?? 0
            let batch = try await database.withConnection { db in try await entries(after: after, limit: batchSize, on: db) }
            if batch.isEmpty { break }
            if let broken = AuditChain.verify(batch, after: previous) {
                return Verification(firstBreak: broken, checked: checked, head: previous)
            }
            if let expectedHead, let match = batch.first(where: { $0.sequence == expectedHead.sequence }) {
                if match.hash != expectedHead.hash {
                    return Verification(firstBreak: .init(kind: .altered, sequence: match.sequence), checked: checked, head: previous)
                }
                expectedFound = true
            }
            checked += batch.count
            previous = (batch.last!.sequence, batch.last!.hash)
            progress(checked)
        }
        if let expectedHead, !expectedFound {
            let firstMissing = (previous?.sequence ?? 0) + 1
            return Verification(
                firstBreak: .init(kind: .truncated, sequence: min(firstMissing, expectedHead.sequence)),
                checked: checked,
                head: previous
            )
        }
        return Verification(firstBreak: nil, checked: checked, head: previous)
    }

    /// Reads a stored row. A field that is not exactly what `append` writes (an unknown actor kind or outcome, a time
    /// not in canonical form) cannot have come from `append`: the entry is returned with an invalid hash so that
    /// verification reports it as altered.
    static func decode(_ row: any SQLRow) throws -> AuditEntry {
        let occurredText = try row.decode(column: "occurred_at", as: String.self)
        let actorText = try row.decode(column: "actor_kind", as: String.self)
        let outcomeText = try row.decode(column: "outcome", as: String.self)
        let occurredAt = Timestamp(text: occurredText)
        let actorKind = AuditEntry.ActorKind(rawValue: actorText)
        let outcome = AuditEntry.Outcome(rawValue: outcomeText)
        let storedHash = try row.decode(column: "hash", as: String.self)
        let wellFormed = occurredAt?.text == occurredText && actorKind != nil && outcome != nil
        return AuditEntry(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            occurredAt: occurredAt ?? Timestamp(millisecondsSince1970: 0),
            actorKind: actorKind ?? .anonymous,
            actorID: try row.decode(column: "actor_id", as: String.self),
            ipAddress: try row.decode(column: "ip_address", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            objectType: try row.decode(column: "object_type", as: String.self),
            objectID: try row.decode(column: "object_id", as: String.self),
            outcome: outcome ?? .error,
            changeDigest: try row.decode(column: "change_digest", as: String.self),
            requestID: try row.decode(column: "request_id", as: String.self),
            previousHash: try row.decode(column: "previous_hash", as: String.self),
            hash: wellFormed ? storedHash : "malformed:" + storedHash
        )
    }
}
