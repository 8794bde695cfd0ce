extension Migration {
    /// Transaction monitoring (PLD).
    ///
    /// - `compliance_operations`: every disbursement and payment as the rules see it (client, amount in centavos,
    ///   monetary instrument, business date, whether the client paid, whether it paid the loan off), written in the
    ///   transaction that posts it; the window the rules look back over.
    /// - `transactional_profiles`: what each client declared (monthly amount and number of operations, instruments, source
    ///   of funds — encrypted); the newest is in force, earlier ones are the history.
    /// - `exchange_rates`: Banxico's FIX per business day, in millionths of a peso per dollar.
    /// - `monitoring_rules`: the rules' versions as JSON; the highest version is in force.
    static let m0032Monitoring = Migration(version: 32, name: "create_monitoring") { t in
        [
            """
            CREATE TABLE compliance_operations (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                kind TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                instrument TEXT NOT NULL,
                channel TEXT NOT NULL,
                business_date TEXT NOT NULL,
                payer_is_client \(t.boolean) NOT NULL,
                state TEXT,
                loan_disbursed_on TEXT,
                pays_off \(t.boolean) NOT NULL,
                recorded_at \(t.instant) NOT NULL
            )
            """,
            "CREATE INDEX compliance_operations_client ON compliance_operations (client_id, business_date)",
            "CREATE INDEX compliance_operations_date ON compliance_operations (lender_id, business_date)",
            """
            CREATE TABLE transactional_profiles (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                monthly_amount \(t.bigint) NOT NULL,
                monthly_operations INTEGER NOT NULL,
                instruments TEXT NOT NULL,
                source_of_funds TEXT NOT NULL,
                declared_at \(t.instant) NOT NULL,
                declared_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX transactional_profiles_client ON transactional_profiles (client_id, declared_at)",
            """
            CREATE TABLE exchange_rates (
                business_date TEXT PRIMARY KEY,
                peso_millionths_per_dollar \(t.bigint) NOT NULL,
                source TEXT NOT NULL,
                imported_at \(t.instant) NOT NULL,
                imported_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE monitoring_rules (
                version INTEGER PRIMARY KEY,
                rules TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
        ]
    }
}
