extension Migration {
    /// A borrower saving a card on a gateway's own page from the portal (`card_setups`): the authorisation they accepted
    /// before leaving, the provider's page, and how it ended (the mandate it made, or expired / failed).
    static let m0016CardSetups = Migration(version: 16, name: "create_card_setups") { t in
        [
            """
            CREATE TABLE card_setups (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                client_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                provider_customer_id TEXT NOT NULL,
                provider_setup_id TEXT,
                page_url TEXT,
                max_amount \(t.bigint),
                consent TEXT NOT NULL,
                status TEXT NOT NULL,
                mandate_id TEXT REFERENCES card_mandates (id),
                error_message TEXT,
                requested_by TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                expires_at \(t.instant) NOT NULL,
                finished_at \(t.instant),
                checked_at \(t.instant),
                row_version INTEGER NOT NULL
            )
            """,
            "CREATE INDEX card_setups_loan ON card_setups (loan_id, created_at)",
            "CREATE INDEX card_setups_open ON card_setups (created_at) WHERE status = 'open'",
        ]
    }
}
