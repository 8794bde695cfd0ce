extension Migration {
    /// Loans, their events (payments, write-offs) and the double-entry journal; borrowers' users linked to their client.
    ///
    /// A loan's terms (product version, amounts, schedule) are fixed at disbursement and stored as one document. Events
    /// are never deleted: a reversal marks the event and posts compensating journal entries. The journal is append-only;
    /// each line names its loan, so every loan's balances can be proved against its history (`cartera ledger verify`).
    static let m0008LoansAndLedger = Migration(version: 8, name: "create_loans_and_ledger") { t in
        [
            """
            CREATE TABLE loans (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                product_code TEXT NOT NULL,
                product_version INTEGER NOT NULL,
                status TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                term INTEGER NOT NULL,
                terms TEXT,
                disbursement_channel TEXT,
                disbursement_reference TEXT,
                disbursed_on TEXT,
                ledger_date TEXT,
                next_sequence \(t.bigint) NOT NULL,
                row_version \(t.bigint) NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                decided_at \(t.instant),
                decided_by TEXT,
                decision_note TEXT,
                restructured_from TEXT REFERENCES loans (id),
                updated_at \(t.instant) NOT NULL,
                FOREIGN KEY (lender_id, product_code, product_version) REFERENCES products (lender_id, code, version)
            )
            """,
            "CREATE INDEX loans_client ON loans (client_id)",
            "CREATE INDEX loans_lender_status ON loans (lender_id, status)",
            """
            CREATE TABLE loan_events (
                id TEXT PRIMARY KEY,
                loan_id TEXT NOT NULL REFERENCES loans (id),
                sequence \(t.bigint) NOT NULL,
                kind TEXT NOT NULL,
                value_date TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                excess TEXT,
                channel TEXT,
                reference TEXT,
                note TEXT,
                allocation TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                recorded_at \(t.instant) NOT NULL,
                recorded_by TEXT NOT NULL,
                reversed_at \(t.instant),
                reversed_by TEXT,
                reversal_reason TEXT,
                reversal_entry_id TEXT,
                UNIQUE (loan_id, sequence)
            )
            """,
            "CREATE UNIQUE INDEX loan_events_reference ON loan_events (loan_id, channel, reference) WHERE reference IS NOT NULL",
            """
            CREATE TABLE journal_entries (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT REFERENCES loans (id),
                event_id TEXT,
                kind TEXT NOT NULL,
                value_date TEXT NOT NULL,
                description TEXT NOT NULL,
                posted_at \(t.instant) NOT NULL,
                posted_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX journal_entries_loan ON journal_entries (loan_id, posted_at)",
            """
            CREATE TABLE journal_lines (
                entry_id TEXT NOT NULL REFERENCES journal_entries (id),
                line INTEGER NOT NULL,
                account TEXT NOT NULL,
                loan_id TEXT,
                debit \(t.bigint) NOT NULL,
                credit \(t.bigint) NOT NULL,
                PRIMARY KEY (entry_id, line),
                CHECK (debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0))
            )
            """,
            "CREATE INDEX journal_lines_loan ON journal_lines (loan_id, account)",
            // A borrower's portal user is linked to the client whose loans it sees.
            "ALTER TABLE users ADD COLUMN client_id TEXT REFERENCES clients (id)",
        ]
    }
}
