extension Migration {
    /// Credit-bureau queries.
    ///
    /// - `bureau_authorizations`: the borrower's express authorisation to query a credit bureau (signed on a day, by
    ///   autograph or an electronic means, with its evidence encrypted), valid for a period and used by one query.
    /// - `bureau_reports`: each query made, with the authorisation it used, the bureau's folio, the score, and the
    ///   bureau's answer exactly as received, encrypted; a query that found no history is kept too.
    static let m0037BureauQueries = Migration(version: 37, name: "create_bureau_queries") { t in
        [
            """
            CREATE TABLE bureau_authorizations (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                signed_on TEXT NOT NULL,
                channel TEXT NOT NULL,
                evidence TEXT NOT NULL,
                valid_until TEXT NOT NULL,
                recorded_at \(t.instant) NOT NULL,
                recorded_by TEXT NOT NULL,
                used_at \(t.instant)
            )
            """,
            "CREATE INDEX bureau_authorizations_client ON bureau_authorizations (client_id, signed_on)",
            """
            CREATE TABLE bureau_reports (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                authorization_id TEXT NOT NULL UNIQUE REFERENCES bureau_authorizations (id),
                bureau TEXT NOT NULL,
                folio TEXT,
                score INTEGER,
                outcome TEXT NOT NULL,
                report TEXT NOT NULL,
                queried_at \(t.instant) NOT NULL,
                queried_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX bureau_reports_client ON bureau_reports (client_id, queried_at)",
        ]
    }
}
