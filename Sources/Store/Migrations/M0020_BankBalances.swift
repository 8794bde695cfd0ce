extension Migration {
    /// The balances bank statements (and bank APIs) state, to compare each account with the ledger day by day; the
    /// suspense entry of a bank line staff held in suspense; each lender's reconciliation rules.
    static let m0020BankBalances = Migration(version: 20, name: "create_bank_account_balances") { t in
        [
            """
            CREATE TABLE bank_account_balances (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
                balance_date TEXT NOT NULL,
                amount \(t.bigint) NOT NULL,
                currency TEXT NOT NULL,
                source TEXT NOT NULL,
                import_id TEXT,
                recorded_at \(t.instant) NOT NULL,
                UNIQUE (bank_account_id, balance_date, source)
            )
            """,
            "ALTER TABLE bank_statement_lines ADD COLUMN suspense_entry_id TEXT",
            // Where a line was taken from for posting, so a run that stopped gives it back to the same place.
            "ALTER TABLE bank_statement_lines ADD COLUMN claimed_from TEXT",
            // A reference is unique among the payments that stand: a payment reversed (a match undone) may be made again.
            "DROP INDEX loan_events_reference",
            "CREATE UNIQUE INDEX loan_events_reference ON loan_events (loan_id, channel, reference) WHERE reference IS NOT NULL AND reversed_at IS NULL",
            """
            CREATE TABLE reconciliation_rules (
                lender_id TEXT PRIMARY KEY,
                rules TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
        ]
    }
}
