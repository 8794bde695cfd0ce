extension Migration {
    /// Relationships between clients, as the last rebuild found them (`cartera relationships build`).
    ///
    /// - `client_components`: each client's connected component (clients linked by a shared phone, e-mail, address,
    ///   CLABE or account, CURP/RFC, representative, beneficial owner or employer), its size, and whether another
    ///   client in it has a confirmed list match, a suspension or a reportable PLD case (a factor of the risk grade).
    /// - `client_links`: which two clients share what kind of value (the values themselves are not stored).
    static let m0035ClientRelationships = Migration(version: 35, name: "create_client_relationships") { t in
        [
            """
            CREATE TABLE client_components (
                client_id TEXT PRIMARY KEY REFERENCES clients (id),
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                component_id TEXT NOT NULL,
                size INTEGER NOT NULL,
                linked_high_risk \(t.boolean) NOT NULL,
                computed_at \(t.instant) NOT NULL
            )
            """,
            "CREATE INDEX client_components_component ON client_components (lender_id, component_id)",
            """
            CREATE TABLE client_links (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                component_id TEXT NOT NULL,
                from_client TEXT NOT NULL REFERENCES clients (id),
                to_client TEXT NOT NULL REFERENCES clients (id),
                kind TEXT NOT NULL,
                PRIMARY KEY (from_client, to_client, kind)
            )
            """,
            "CREATE INDEX client_links_component ON client_links (lender_id, component_id)",
        ]
    }
}
