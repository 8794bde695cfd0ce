extension Migration {
    /// Bank statements imported: the lender's bank accounts (registered by the first statement of each), each import
    /// with its summary, and every statement line once per account and natural key (importing a file twice adds
    /// nothing), with how reconciliation left it (`unmatched`, `posted` to a loan, `review` with its candidates,
    /// `unidentified`). The payer's name and account, and the free text, are personal data: encrypted.
    static let m0017BankStatements = Migration(version: 17, name: "create_bank_statements") { t in
        [
            """
            CREATE TABLE bank_accounts (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                number TEXT NOT NULL,
                currency TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                UNIQUE (lender_id, number)
            )
            """,
            """
            CREATE TABLE statement_imports (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                format TEXT NOT NULL,
                profile TEXT,
                statements INTEGER NOT NULL,
                entries INTEGER NOT NULL,
                added INTEGER NOT NULL,
                duplicates INTEGER NOT NULL,
                credits \(t.bigint) NOT NULL,
                debits \(t.bigint) NOT NULL,
                warnings TEXT NOT NULL,
                imported_at \(t.instant) NOT NULL,
                imported_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX statement_imports_lender ON statement_imports (lender_id, imported_at)",
            """
            CREATE TABLE bank_statement_lines (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL,
                bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
                key_hash TEXT NOT NULL,
                import_id TEXT NOT NULL REFERENCES statement_imports (id),
                source TEXT NOT NULL,
                statement_id TEXT,
                position INTEGER NOT NULL,
                booking_date TEXT,
                value_date TEXT,
                amount \(t.bigint) NOT NULL,
                currency TEXT NOT NULL,
                status TEXT NOT NULL,
                reversal \(t.boolean) NOT NULL,
                bank_reference TEXT,
                entry_reference TEXT,
                end_to_end_id TEXT,
                transaction_code TEXT,
                counterparty_name TEXT,
                counterparty_account TEXT,
                remittance TEXT,
                description TEXT,
                match_status TEXT NOT NULL,
                matched_loan_id TEXT,
                match_score INTEGER,
                match_rule TEXT,
                candidates TEXT,
                payment_reference TEXT,
                matched_at \(t.instant),
                created_at \(t.instant) NOT NULL,
                UNIQUE (bank_account_id, key_hash)
            )
            """,
            "CREATE INDEX bank_statement_lines_open ON bank_statement_lines (lender_id, match_status, value_date)",
            "CREATE INDEX bank_statement_lines_import ON bank_statement_lines (import_id)",
        ]
    }
}
