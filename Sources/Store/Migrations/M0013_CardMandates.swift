extension Migration {
    /// Domiciliación: a borrower's authorisation to charge a card saved with a gateway on each due date
    /// (`card_mandates`, at most one active per loan), each due date's charge with its retries (`recurring_charges`,
    /// one per mandate and installment), each lender's retry schedule (`recurring_settings`), and the notices a
    /// borrower reads in the portal (`borrower_notices`).
    static let m0013CardMandates = Migration(version: 13, name: "create_card_mandates") { t in
        [
            """
            CREATE TABLE card_mandates (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                client_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                provider_customer_id TEXT NOT NULL,
                provider_card_id TEXT NOT NULL,
                card_brand TEXT NOT NULL,
                card_last4 TEXT NOT NULL,
                card_exp_month INTEGER,
                card_exp_year INTEGER,
                max_amount \(t.bigint),
                status TEXT NOT NULL,
                consent TEXT NOT NULL,
                channel TEXT NOT NULL,
                authorised_at \(t.instant) NOT NULL,
                authorised_by TEXT NOT NULL,
                revoked_at \(t.instant),
                revoked_by TEXT,
                revoke_reason TEXT,
                row_version INTEGER NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX card_mandates_active_loan ON card_mandates (loan_id) WHERE status = 'active'",
            "CREATE INDEX card_mandates_lender ON card_mandates (lender_id, status, authorised_at)",
            """
            CREATE TABLE recurring_charges (
                id TEXT PRIMARY KEY,
                mandate_id TEXT NOT NULL REFERENCES card_mandates (id),
                lender_id TEXT NOT NULL,
                loan_id TEXT NOT NULL,
                installment INTEGER NOT NULL,
                due_date TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_on TEXT,
                intent_id TEXT,
                amount \(t.bigint),
                last_error_code TEXT,
                last_error TEXT,
                created_at \(t.instant) NOT NULL,
                updated_at \(t.instant) NOT NULL,
                row_version INTEGER NOT NULL,
                UNIQUE (mandate_id, installment)
            )
            """,
            "CREATE INDEX recurring_charges_work ON recurring_charges (status, next_attempt_on)",
            "CREATE INDEX recurring_charges_loan ON recurring_charges (loan_id, due_date)",
            """
            CREATE TABLE recurring_settings (
                lender_id TEXT PRIMARY KEY,
                retry_days TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE borrower_notices (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                loan_id TEXT,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at \(t.instant) NOT NULL
            )
            """,
            "CREATE INDEX borrower_notices_client ON borrower_notices (client_id, created_at)",
        ]
    }
}
