extension Migration {
    /// Drops the journal lines' index by loan. A loan's lines are reached through its entries (`journal_entries_loan`,
    /// then the lines' primary key), and the index cost every payment a page of its own in each commit — about a third
    /// of what a batch of payments writes.
    static let m0009JournalLinesWithoutLoanIndex = Migration(version: 9, name: "drop_journal_lines_loan_index") { _ in
        ["DROP INDEX journal_lines_loan"]
    }
}
