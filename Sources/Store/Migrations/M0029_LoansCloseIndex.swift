extension Migration {
    /// An index holding every column the end-of-day close filters a chunk's loans by, and their row versions: the
    /// close's writer checks that the chunk's loans did not change since they were read from the index alone, without
    /// reading each loan's row (with its terms) again. Its leading `id` serves the partitions' id ranges.
    static let m0029LoansCloseIndex = Migration(version: 29, name: "add_loans_close_index") { _ in
        [
            "CREATE INDEX loans_close ON loans (id, lender_id, status, disbursed_on, ledger_date, row_version)"
        ]
    }
}
