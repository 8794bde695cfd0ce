extension Migration {
    /// Each owing loan's worklist priority, worked out by the close that writes its snapshot (with the roll-risk model in
    /// force when the day's close started, recorded with the run), so the collectors' worklist reads its top accounts
    /// through an index instead of ranking every owing loan on each visit.
    static let m0028WorklistPriority = Migration(version: 28, name: "add_worklist_priority") { t in
        [
            // Centavos at stake; NULL for a loan that owes nothing that day (and for snapshots written before this column).
            "ALTER TABLE loan_snapshots ADD COLUMN priority \(t.bigint)",
            // The model version the run ranked with: 0 before the lender trained any; NULL for runs that did not rank.
            "ALTER TABLE close_runs ADD COLUMN priority_model INTEGER",
            "CREATE INDEX loan_snapshots_priority ON loan_snapshots (lender_id, snapshot_date, priority) WHERE priority IS NOT NULL",
        ]
    }
}
