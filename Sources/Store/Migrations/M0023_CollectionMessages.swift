extension Migration {
    /// Collection messages and what decides them: each borrower's consent per channel as a ledger (the latest row
    /// counts; opt-outs from replies and providers are rows too), holds that pause collection on a loan, promises to
    /// pay, and the message outbox. A message is written once per loan, dunning step and due date (`dedupe_key`), so a
    /// rerun of the dunning step never writes it twice; it is `scheduled` for the moment the contact rules allow,
    /// `sending` while a worker holds it (a worker that dies leaves it `unknown`, never sent again by itself), then
    /// `sent`, `delivered`, `read`, `failed`, `undelivered` or `refused`; voice steps wait for a collector
    /// (`call_pending`). Provider statuses are kept once each (`message_events`); one that arrives before the message's
    /// provider id is recorded waits there (`message_id` NULL) and is applied when it is. Recipient, text and values
    /// are encrypted. Snapshots gain the loan's recent late installments; `collection_models` keeps each lender's
    /// trained roll-risk models (versioned); `dunning_policies` keeps each lender's ladders, versioned, each for a product and/or a
    /// behaviour segment (or all); `collection_contacts` is the collectors' contact log
    /// (outcome codes, next action). `dunning_runs` records each lender's finished dunning step per day (a failed one is run again).
    static let m0023CollectionMessages = Migration(version: 23, name: "create_collection_messages") { t in
        [
            """
            CREATE TABLE contact_consents (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                channel TEXT NOT NULL,
                state TEXT NOT NULL,
                source TEXT NOT NULL,
                evidence TEXT NOT NULL,
                text_version TEXT,
                recorded_at \(t.instant) NOT NULL,
                recorded_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX contact_consents_client ON contact_consents (lender_id, client_id, channel, recorded_at)",
            """
            CREATE TABLE collection_holds (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                reason TEXT NOT NULL,
                note TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                released_at \(t.instant),
                released_by TEXT
            )
            """,
            "CREATE INDEX collection_holds_loan ON collection_holds (lender_id, loan_id)",
            """
            CREATE TABLE promises_to_pay (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                amount \(t.bigint) NOT NULL,
                promised_on TEXT NOT NULL,
                due_on TEXT NOT NULL,
                tolerance_days INTEGER NOT NULL,
                canceled_at \(t.instant),
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX promises_to_pay_loan ON promises_to_pay (lender_id, loan_id)",
            """
            CREATE TABLE collection_messages (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                channel TEXT NOT NULL,
                template_key TEXT NOT NULL,
                template_version INTEGER NOT NULL,
                provider_template TEXT,
                policy_code TEXT NOT NULL,
                policy_version INTEGER NOT NULL,
                step_key TEXT NOT NULL,
                due_date TEXT NOT NULL,
                business_date TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                recipient TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                subject TEXT,
                body TEXT NOT NULL,
                parameters TEXT NOT NULL,
                state TEXT NOT NULL,
                send_after \(t.instant) NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at \(t.instant) NOT NULL,
                lease_until \(t.instant),
                provider_id TEXT,
                provider_status TEXT,
                error_code TEXT,
                error_message TEXT,
                created_at \(t.instant) NOT NULL,
                sent_at \(t.instant),
                updated_at \(t.instant) NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX collection_messages_dedupe ON collection_messages (lender_id, dedupe_key)",
            "CREATE INDEX collection_messages_due ON collection_messages (state, next_attempt_at)",
            "CREATE INDEX collection_messages_loan ON collection_messages (lender_id, loan_id, created_at)",
            "CREATE INDEX collection_messages_client ON collection_messages (lender_id, client_id, channel, sent_at)",
            "CREATE INDEX collection_messages_provider ON collection_messages (channel, provider_id)",
            """
            CREATE TABLE message_events (
                channel TEXT NOT NULL,
                event_key TEXT NOT NULL,
                provider_id TEXT,
                message_id TEXT,
                status TEXT NOT NULL,
                error_code TEXT,
                received_at \(t.instant) NOT NULL,
                PRIMARY KEY (channel, event_key)
            )
            """,
            "CREATE INDEX message_events_provider ON message_events (channel, provider_id)",
            """
            CREATE TABLE collection_contacts (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                channel TEXT NOT NULL,
                outcome TEXT NOT NULL,
                note TEXT NOT NULL,
                next_action_on TEXT,
                recorded_at \(t.instant) NOT NULL,
                recorded_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX collection_contacts_loan ON collection_contacts (lender_id, loan_id, recorded_at)",
            """
            CREATE TABLE dunning_policies (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                code TEXT NOT NULL,
                version INTEGER NOT NULL,
                product_code TEXT,
                segment TEXT,
                policy TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, code, version)
            )
            """,
            // Recent payment behaviour in each day's snapshot (segments and the roll-risk model read it).
            "ALTER TABLE loan_snapshots ADD COLUMN late_installments INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE collection_models (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                version INTEGER NOT NULL,
                model TEXT NOT NULL,
                trained_at \(t.instant) NOT NULL,
                trained_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, version)
            )
            """,
            """
            CREATE TABLE dunning_runs (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                business_date TEXT NOT NULL,
                summary TEXT NOT NULL,
                finished_at \(t.instant) NOT NULL,
                PRIMARY KEY (lender_id, business_date)
            )
            """,
        ]
    }
}
