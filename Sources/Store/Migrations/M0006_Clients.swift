extension Migration {
    /// Clients (personas físicas y morales). Their identification data is one encrypted document (`profile`); exact
    /// lookups go through keyed blind indexes in `client_lookups`, never through plain text.
    static let m0006Clients = Migration(version: 6, name: "create_clients") { t in
        [
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                kind TEXT NOT NULL,
                profile TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL
            )
            """,
            // kind: rfc, curp, phone, email (later: clabe). value_index: HMAC-SHA256 of the normalised value.
            """
            CREATE TABLE client_lookups (
                client_id TEXT NOT NULL REFERENCES clients (id),
                kind TEXT NOT NULL,
                value_index TEXT NOT NULL,
                PRIMARY KEY (client_id, kind, value_index)
            )
            """,
            "CREATE INDEX client_lookups_value ON client_lookups (kind, value_index)",
        ]
    }
}
