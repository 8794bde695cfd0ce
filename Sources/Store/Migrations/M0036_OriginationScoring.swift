extension Migration {
    /// Origination scorecards and the scores applications got.
    ///
    /// - `scoring_models`: each published scorecard of a lender, versioned: the card (bins, points), its cut-offs, the
    ///   metrics it was published with (AUC, Gini, KS, PSI) and the training scores' bands for monitoring; the highest
    ///   version is in force.
    /// - `application_scores`: every score an application received, with the model version, the points by variable,
    ///   the adverse reasons and the recommendation; the values it was scored on are encrypted (personal data).
    static let m0036OriginationScoring = Migration(version: 36, name: "create_origination_scoring") { t in
        [
            """
            CREATE TABLE scoring_models (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                card TEXT NOT NULL,
                cutoffs TEXT NOT NULL,
                metrics TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, version)
            )
            """,
            """
            CREATE TABLE application_scores (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                model_version INTEGER NOT NULL,
                score INTEGER NOT NULL,
                probability_bad TEXT NOT NULL,
                recommendation TEXT NOT NULL,
                parts TEXT NOT NULL,
                adverse TEXT NOT NULL,
                inputs TEXT NOT NULL,
                scored_at \(t.instant) NOT NULL,
                scored_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX application_scores_loan ON application_scores (loan_id, scored_at)",
            "CREATE INDEX application_scores_model ON application_scores (lender_id, model_version)",
        ]
    }
}
