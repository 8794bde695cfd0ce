extension Migration {
    /// Each payment gateway's settings as an administrator entered them: keys and webhook secrets encrypted with the
    /// personal-data keys (`FieldCipher`), the rest in clear. Settings given in the environment take precedence.
    static let m0012GatewaySettings = Migration(version: 12, name: "create_gateway_settings") { t in
        [
            """
            CREATE TABLE gateway_settings (
                provider TEXT PRIMARY KEY,
                secret_key TEXT,
                account_id TEXT,
                api_base TEXT,
                webhook_secret TEXT,
                webhook_user TEXT,
                webhook_key TEXT,
                updated_at \(t.instant) NOT NULL,
                updated_by TEXT NOT NULL
            )
            """
        ]
    }
}
