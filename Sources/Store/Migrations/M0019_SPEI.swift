extension Migration {
    /// SPEI through the lender's participant (STP): disbursement orders with their fate, deposits (abonos) received by
    /// callback — each once, by tracking key — and the raw status callbacks.
    static let m0019SPEI = Migration(version: 19, name: "create_spei_orders_and_deposits") { t in
        [
            """
            CREATE TABLE spei_orders (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                tracking_key TEXT NOT NULL UNIQUE,
                numeric_reference \(t.bigint) NOT NULL,
                amount \(t.bigint) NOT NULL,
                institution TEXT NOT NULL,
                beneficiary_clabe TEXT NOT NULL,
                beneficiary_name TEXT NOT NULL,
                beneficiary_rfc TEXT,
                concept TEXT NOT NULL,
                status TEXT NOT NULL,
                participant_id TEXT,
                return_cause \(t.bigint),
                error TEXT,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                sent_at \(t.instant),
                settled_at \(t.instant),
                returned_at \(t.instant),
                updated_at \(t.instant) NOT NULL
            )
            """,
            "CREATE INDEX spei_orders_lender ON spei_orders (lender_id, created_at)",
            // One order on its way per loan.
            "CREATE UNIQUE INDEX spei_orders_one_open ON spei_orders (loan_id) WHERE status IN ('enviando', 'enviada')",
            """
            CREATE TABLE spei_deposits (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                tracking_key TEXT NOT NULL,
                sender_institution TEXT NOT NULL,
                operating_date TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                destination_clabe TEXT NOT NULL,
                participant_id TEXT,
                payer_name TEXT,
                payer_account TEXT,
                payer_rfc TEXT,
                concept TEXT,
                numeric_reference \(t.bigint),
                raw_body TEXT NOT NULL,
                status TEXT NOT NULL,
                loan_id TEXT REFERENCES loans (id),
                payment_id TEXT,
                entry_id TEXT,
                note TEXT,
                statement_line_id TEXT UNIQUE,
                received_at \(t.instant) NOT NULL,
                applied_at \(t.instant),
                applied_by TEXT,
                UNIQUE (tracking_key, sender_institution, operating_date)
            )
            """,
            "CREATE INDEX spei_deposits_lender ON spei_deposits (lender_id, status, received_at)",
            """
            CREATE TABLE spei_order_events (
                order_id TEXT NOT NULL REFERENCES spei_orders (id),
                state TEXT NOT NULL,
                return_cause \(t.bigint),
                raw_body TEXT NOT NULL,
                received_at \(t.instant) NOT NULL,
                PRIMARY KEY (order_id, state)
            )
            """,
        ]
    }
}
