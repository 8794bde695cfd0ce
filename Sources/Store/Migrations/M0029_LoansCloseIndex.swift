extension Migration {
    /// On SQLite, an index holding every column the end-of-day close filters a chunk's loans by, and their row versions:
    /// the close's single writer checks that a chunk's loans did not change since they were read from the index alone,
    /// without reading each loan's row (with its terms) again. Its leading `id` serves the partitions' id ranges.
    /// PostgreSQL locks the chunk's rows for that check (`FOR UPDATE`), which reads them anyway, and indexing
    /// `row_version` and `ledger_date` there would stop their updates from being heap-only: nothing to do there.
    static let m0029LoansCloseIndex = Migration(version: 29, name: "add_loans_close_index") { t in
        t.dialect == .sqlite ? ["CREATE INDEX loans_close ON loans (id, lender_id, status, disbursed_on, ledger_date, row_version)"] : []
    }
}
