extension Migration {
    /// Payments asked of a gateway (`payment_intents`, one per requested payment) and every request made to the gateway
    /// about them (`payment_attempts`: charges, queries, refunds), each recorded before it is sent.
    static let m0011PaymentIntents = Migration(version: 11, name: "create_payment_intents") { t in
        [
            """
            CREATE TABLE payment_intents (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                installment INTEGER,
                provider TEXT NOT NULL,
                method TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                currency TEXT NOT NULL,
                description TEXT NOT NULL,
                status TEXT NOT NULL,
                provider_charge_id TEXT,
                provider_customer_id TEXT,
                cash_reference TEXT,
                voucher_url TEXT,
                clabe TEXT,
                bank_name TEXT,
                expires_at \(t.instant),
                received \(t.bigint),
                fee \(t.bigint),
                refunded \(t.bigint) NOT NULL,
                failure_code TEXT,
                failure_message TEXT,
                payment_id TEXT,
                suspense_entry_id TEXT,
                recurring \(t.boolean) NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL,
                last_queried_at \(t.instant),
                queries INTEGER NOT NULL,
                row_version INTEGER NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX payment_intents_charge ON payment_intents (provider, provider_charge_id) WHERE provider_charge_id IS NOT NULL",
            "CREATE INDEX payment_intents_loan ON payment_intents (loan_id, created_at)",
            "CREATE INDEX payment_intents_open ON payment_intents (status, updated_at)",
            """
            CREATE TABLE payment_attempts (
                id TEXT PRIMARY KEY,
                intent_id TEXT NOT NULL REFERENCES payment_intents (id),
                kind TEXT NOT NULL,
                requested_at \(t.instant) NOT NULL,
                requested_by TEXT NOT NULL,
                amount \(t.bigint),
                reason TEXT,
                finished_at \(t.instant),
                result TEXT NOT NULL,
                error_code TEXT,
                error_message TEXT
            )
            """,
            "CREATE INDEX payment_attempts_intent ON payment_attempts (intent_id, requested_at)",
            "ALTER TABLE gateway_events ADD COLUMN intent_id TEXT",
            "ALTER TABLE gateway_events ADD COLUMN next_attempt_at \(t.instant)",
        ]
    }
}
