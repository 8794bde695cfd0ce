extension Migration {
    /// Credit products. Each row is one immutable version of a product's terms; a change is a new row with the next
    /// version number, so loans keep pointing at the exact terms they were granted under.
    static let m0007Products = Migration(version: 7, name: "create_products") { t in
        [
            """
            CREATE TABLE products (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                code TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                terms TEXT NOT NULL,
                active \(t.boolean) NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, code, version)
            )
            """,
        ]
    }
}
