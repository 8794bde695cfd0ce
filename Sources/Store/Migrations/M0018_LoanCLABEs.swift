extension Migration {
    /// A virtual CLABE per loan, from the lender's range (`clabe_ranges` keeps the next number of each prefix), so a
    /// SPEI deposit names its loan.
    static let m0018LoanCLABEs = Migration(version: 18, name: "create_loan_clabes") { t in
        [
            """
            CREATE TABLE clabe_ranges (
                prefix TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                next_number \(t.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE loan_clabes (
                clabe TEXT PRIMARY KEY,
                loan_id TEXT NOT NULL UNIQUE REFERENCES loans (id),
                lender_id TEXT NOT NULL,
                prefix TEXT NOT NULL,
                number \(t.bigint) NOT NULL,
                assigned_at \(t.instant) NOT NULL
            )
            """,
        ]
    }
}
