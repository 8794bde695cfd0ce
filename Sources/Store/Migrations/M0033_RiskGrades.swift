extension Migration {
    /// Client risk grades (EBR).
    ///
    /// - `risk_settings`: the risk matrix and the catalogues that feed it, versioned; the highest version is in force.
    /// - `client_risk_facts`: factor values staff declared for a client (channel, kind of persona física, adverse media).
    /// - `risk_assessments`: every grade a client received, with the matrix version, points and each factor's part (the
    ///   reasons), why it was assessed and by whom; the newest is the client's grade.
    /// - `risk_reassessments`: clients to grade again (an alert raised by monitoring), taken by the next assessment run.
    static let m0033RiskGrades = Migration(version: 33, name: "create_risk_grades") { t in
        [
            """
            CREATE TABLE risk_settings (
                version INTEGER PRIMARY KEY,
                matrix TEXT NOT NULL,
                catalogs TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE client_risk_facts (
                client_id TEXT PRIMARY KEY REFERENCES clients (id),
                facts TEXT NOT NULL,
                updated_at \(t.instant) NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE risk_assessments (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                settings_version INTEGER NOT NULL,
                matrix_version INTEGER NOT NULL,
                points INTEGER NOT NULL,
                points_grade TEXT NOT NULL,
                grade TEXT NOT NULL,
                parts TEXT NOT NULL,
                occasion TEXT NOT NULL,
                assessed_at \(t.instant) NOT NULL,
                assessed_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX risk_assessments_client ON risk_assessments (client_id, assessed_at)",
            "CREATE INDEX risk_assessments_lender ON risk_assessments (lender_id, assessed_at)",
            """
            CREATE TABLE risk_reassessments (
                client_id TEXT PRIMARY KEY REFERENCES clients (id),
                reason TEXT NOT NULL,
                queued_at \(t.instant) NOT NULL
            )
            """,
        ]
    }
}
