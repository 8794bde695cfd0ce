extension Migration {
    /// Webhooks received from payment gateways, stored raw (headers and body as they arrived) before anything acts on
    /// them, once per provider event id; `state` tracks their processing (`received` until the outbox handles them).
    static let m0010GatewayEvents = Migration(version: 10, name: "create_gateway_events") { t in
        [
            """
            CREATE TABLE gateway_events (
                provider TEXT NOT NULL,
                event_id TEXT NOT NULL,
                type TEXT NOT NULL,
                object_id TEXT,
                payload_signed \(t.boolean) NOT NULL,
                headers TEXT NOT NULL,
                body \(t.blob) NOT NULL,
                received_at \(t.instant) NOT NULL,
                deliveries INTEGER NOT NULL,
                last_delivery_at \(t.instant) NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                processed_at \(t.instant),
                last_error TEXT,
                PRIMARY KEY (provider, event_id)
            )
            """,
            "CREATE INDEX gateway_events_state ON gateway_events (state, received_at)",
        ]
    }
}
