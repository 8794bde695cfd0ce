extension Migration {
    /// The lender (the SOFOM that runs this installation) and its staff users.
    static let m0002LendersAndUsers = Migration(version: 2, name: "create_lenders_and_users") { t in
        [
            """
            CREATE TABLE lenders (
                id TEXT PRIMARY KEY,
                legal_name TEXT NOT NULL,
                short_name TEXT NOT NULL,
                rfc TEXT NOT NULL UNIQUE,
                created_at \(t.instant) NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                active \(t.boolean) NOT NULL,
                created_at \(t.instant) NOT NULL
            )
            """,
        ]
    }
}
