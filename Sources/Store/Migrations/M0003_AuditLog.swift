extension Migration {
    /// The append-only, hash-chained audit log (see `CarteraSecurity.AuditChain`).
    ///
    /// On PostgreSQL the application's role should hold only `SELECT, INSERT` on this table; see
    /// `docs/operations.md`.
    static let m0003AuditLog = Migration(version: 3, name: "create_audit_log") { t in
        [
            """
            CREATE TABLE audit_log (
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
                hash TEXT NOT NULL UNIQUE
            )
            """,
            "CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at)",
            "CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id)",
            "CREATE INDEX audit_log_object ON audit_log (object_type, object_id)",
        ]
    }
}
