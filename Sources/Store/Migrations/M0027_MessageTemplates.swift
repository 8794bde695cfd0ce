extension Migration {
    /// The lender's own versions of its collection message templates (a lender starts with the standard ones; a saved
    /// text is a new version, never an edit, so every message sent still names the exact text it was written from).
    static let m0027MessageTemplates = Migration(version: 27, name: "create_message_templates") { t in
        [
            """
            CREATE TABLE message_templates (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                template_key TEXT NOT NULL,
                version INTEGER NOT NULL,
                template TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, template_key, version)
            )
            """
        ]
    }
}
