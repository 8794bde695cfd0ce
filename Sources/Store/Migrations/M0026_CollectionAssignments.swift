extension Migration {
    /// Which gestor works each account (one at a time; accounts without one are open to every gestor). Changes are
    /// audited.
    static let m0026CollectionAssignments = Migration(version: 26, name: "create_collection_assignments") { t in
        [
            """
            CREATE TABLE collection_assignments (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                loan_id TEXT NOT NULL REFERENCES loans (id),
                user_id TEXT NOT NULL REFERENCES users (id),
                assigned_at \(t.instant) NOT NULL,
                assigned_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, loan_id)
            )
            """,
            "CREATE INDEX collection_assignments_user ON collection_assignments (lender_id, user_id)",
        ]
    }
}
