extension Migration {
    /// The end-of-day close: each lender's business date (the last day closed), one run per lender and day, its
    /// partitions of loans (claimed by workers under a lease), the daily loan snapshots every collections figure is
    /// computed from, and each lender's collections settings (delinquency buckets). A run keeps the buckets it closes
    /// with (a rerun uses the same) and its number of loans; a partition keeps the last loan it closed (`cursor_loan_id`,
    /// the next chunk starts after it); a loan the close could not compute is recorded in `close_exceptions`.
    static let m0022EndOfDayClose = Migration(version: 22, name: "create_end_of_day_close") { t in
        [
            """
            CREATE TABLE business_dates (
                lender_id TEXT PRIMARY KEY REFERENCES lenders (id),
                closed_through TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL
            )
            """,
            """
            CREATE TABLE close_runs (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                business_date TEXT NOT NULL,
                status TEXT NOT NULL,
                partitions INTEGER NOT NULL,
                buckets TEXT NOT NULL,
                loans INTEGER NOT NULL,
                started_at \(t.instant) NOT NULL,
                started_by TEXT NOT NULL,
                finished_at \(t.instant),
                PRIMARY KEY (lender_id, business_date)
            )
            """,
            """
            CREATE TABLE close_partitions (
                lender_id TEXT NOT NULL,
                business_date TEXT NOT NULL,
                number INTEGER NOT NULL,
                first_loan_id TEXT NOT NULL,
                next_loan_id TEXT,
                cursor_loan_id TEXT,
                status TEXT NOT NULL,
                worker TEXT,
                lease_until \(t.instant),
                loans INTEGER NOT NULL,
                accruals INTEGER NOT NULL,
                finished_at \(t.instant),
                PRIMARY KEY (lender_id, business_date, number),
                FOREIGN KEY (lender_id, business_date) REFERENCES close_runs (lender_id, business_date)
            )
            """,
            """
            CREATE TABLE loan_snapshots (
                lender_id TEXT NOT NULL,
                snapshot_date TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                client_id TEXT NOT NULL,
                product_code TEXT NOT NULL,
                disbursed_on TEXT NOT NULL,
                status TEXT NOT NULL,
                days_past_due INTEGER NOT NULL,
                bucket TEXT NOT NULL,
                non_performing \(t.boolean) NOT NULL,
                restructured \(t.boolean) NOT NULL,
                principal_outstanding \(t.bigint) NOT NULL,
                overdue_principal \(t.bigint) NOT NULL,
                overdue_interest \(t.bigint) NOT NULL,
                overdue_charges \(t.bigint) NOT NULL,
                amount_due \(t.bigint) NOT NULL,
                installments_overdue INTEGER NOT NULL,
                next_due_date TEXT,
                PRIMARY KEY (lender_id, snapshot_date, loan_id)
            )
            """,
            "CREATE INDEX loan_snapshots_loan ON loan_snapshots (loan_id, snapshot_date)",
            // The close reads each partition's loans in id order.
            "CREATE INDEX loans_lender_status_id ON loans (lender_id, status, id)",
            """
            CREATE TABLE close_exceptions (
                lender_id TEXT NOT NULL,
                business_date TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                code TEXT NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY (lender_id, business_date, loan_id)
            )
            """,
            """
            CREATE TABLE collection_settings (
                lender_id TEXT PRIMARY KEY REFERENCES lenders (id),
                buckets TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
        ]
    }
}
