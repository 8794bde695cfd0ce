extension Migration {
    /// Staff who receive the delinquency report by e-mail, daily or weekly (the address encrypted), and each report sent
    /// (one row per subscription and period, written before sending, so a report is never sent twice).
    static let m0024ReportSubscriptions = Migration(version: 24, name: "create_report_subscriptions") { t in
        [
            """
            CREATE TABLE report_subscriptions (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                email TEXT NOT NULL,
                frequency TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                canceled_at \(t.instant),
                canceled_by TEXT
            )
            """,
            "CREATE INDEX report_subscriptions_lender ON report_subscriptions (lender_id)",
            """
            CREATE TABLE report_deliveries (
                subscription_id TEXT NOT NULL REFERENCES report_subscriptions (id),
                period TEXT NOT NULL,
                state TEXT NOT NULL,
                detail TEXT,
                sent_at \(t.instant) NOT NULL,
                PRIMARY KEY (subscription_id, period)
            )
            """,
        ]
    }
}
