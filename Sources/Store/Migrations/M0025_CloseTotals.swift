extension Migration {
    /// The sums of a closed day (delinquency by bucket, PAR, IMOR, roll and cure movements against a month before,
    /// disbursed, scheduled and collected amounts) kept by the close as JSON: per partition as its chunks are written,
    /// and for the day when it finishes, so reports of a large portfolio read one row a day.
    static let m0025CloseTotals = Migration(version: 25, name: "add_close_totals") { _ in
        [
            "ALTER TABLE close_partitions ADD COLUMN totals TEXT",
            "ALTER TABLE close_runs ADD COLUMN totals TEXT",
        ]
    }
}
