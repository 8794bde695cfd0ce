extension Migration {
    /// API clients (OAuth2 client credentials) and the keys that sign their access tokens.
    static let m0004APIClients = Migration(version: 4, name: "create_api_clients_and_signing_keys") { t in
        [
            """
            CREATE TABLE api_clients (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                name TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                scopes TEXT NOT NULL,
                active \(t.boolean) NOT NULL,
                created_at \(t.instant) NOT NULL
            )
            """,
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                algorithm TEXT NOT NULL,
                private_key TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                retired_at \(t.instant)
            )
            """,
        ]
    }
}
