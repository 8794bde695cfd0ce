extension Migration {
    /// The daily check of each lender's bank accounts against the ledger, one row per lender and date: the latest
    /// result (a check is run again while it does not balance, as late statements arrive).
    static let m0021BankBalanceChecks = Migration(version: 21, name: "create_bank_balance_checks") { t in
        [
            """
            CREATE TABLE bank_balance_checks (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                check_date TEXT NOT NULL,
                balanced \(t.boolean) NOT NULL,
                complete \(t.boolean) NOT NULL,
                statements \(t.bigint) NOT NULL,
                ledger \(t.bigint) NOT NULL,
                unexplained \(t.bigint) NOT NULL,
                report TEXT NOT NULL,
                checked_at \(t.instant) NOT NULL,
                checked_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, check_date)
            )
            """,
        ]
    }
}
