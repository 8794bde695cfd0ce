extension Migration {
    /// The audit log's `hash` loses its unique index. Nothing looks an entry up by its hash — the chain is verified in
    /// `sequence` order, each entry against the one before it — while an index on random hashes put every new entry on
    /// a random page of its own (the heaviest part of writing a busy log). SQLite cannot drop a column's constraint,
    /// so there the table is rebuilt with the same rows and indexes; PostgreSQL drops the constraint.
    static let m0015AuditHashNotIndexed = Migration(version: 15, name: "audit_hash_not_indexed") { t in
        guard t.dialect == .sqlite else { return ["ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_hash_key"] }
        return [
            """
            CREATE TABLE audit_log_rebuilt (
                sequence \(t.bigint) PRIMARY KEY,
                occurred_at \(t.instant) NOT NULL,
                actor_kind TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                ip_address TEXT NOT NULL,
                action TEXT NOT NULL,
                object_type TEXT NOT NULL,
                object_id TEXT NOT NULL,
                outcome TEXT NOT NULL,
                change_digest TEXT NOT NULL,
                request_id TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            """
            INSERT INTO audit_log_rebuilt (sequence, occurred_at, actor_kind, actor_id, ip_address, action, object_type, object_id, outcome,
                change_digest, request_id, previous_hash, hash)
            SELECT sequence, occurred_at, actor_kind, actor_id, ip_address, action, object_type, object_id, outcome, change_digest, request_id,
                previous_hash, hash
            FROM audit_log ORDER BY sequence
            """,
            "DROP TABLE audit_log",
            "ALTER TABLE audit_log_rebuilt RENAME TO audit_log",
            "CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at)",
            "CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id)",
            "CREATE INDEX audit_log_object ON audit_log (object_type, object_id)",
        ]
    }
}
