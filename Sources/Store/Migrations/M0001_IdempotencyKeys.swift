extension Migration {
    /// Idempotency keys: one row per (scope, key) remembers the request's fingerprint and, once done, its response,
    /// so a repeated request gets the first answer instead of being applied twice.
    static let m0001IdempotencyKeys = Migration(version: 1, name: "create_idempotency_keys") { t in
        [
            """
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
                response_status INTEGER,
                response_body \(t.blob),
                created_at \(t.instant) NOT NULL,
                completed_at \(t.instant),
                expires_at \(t.instant) NOT NULL,
                PRIMARY KEY (scope, key)
            )
            """,
            "CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)",
        ]
    }
}
