extension Migration {
    /// Back-office sign-in: sessions, sign-in throttling, and the second factor (TOTP and recovery codes).
    static let m0005WebSessionsAndMFA = Migration(version: 5, name: "create_web_sessions_and_mfa") { t in
        [
            // The TOTP secret is stored encrypted (FieldCipher). `totp_pending_secret` holds a secret shown during
            // enrolment until the user confirms it with a code. `totp_last_step` refuses a code used twice.
            "ALTER TABLE users ADD COLUMN totp_secret TEXT",
            "ALTER TABLE users ADD COLUMN totp_pending_secret TEXT",
            "ALTER TABLE users ADD COLUMN totp_enabled_at \(t.instant)",
            "ALTER TABLE users ADD COLUMN totp_last_step \(t.bigint) NOT NULL DEFAULT 0",
            // Set when an administrator chose the password: the user must replace it at first sign-in.
            "ALTER TABLE users ADD COLUMN password_change_required \(t.boolean) NOT NULL DEFAULT FALSE",
            """
            CREATE TABLE user_recovery_codes (
                user_id TEXT NOT NULL REFERENCES users (id),
                code_hash TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                used_at \(t.instant),
                PRIMARY KEY (user_id, code_hash)
            )
            """,
            // Only the SHA-256 of a session token is stored; the token itself lives in the browser's cookie.
            """
            CREATE TABLE web_sessions (
                token_hash TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users (id),
                state TEXT NOT NULL,
                csrf_token TEXT NOT NULL,
                ip_address TEXT NOT NULL,
                user_agent TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                last_seen_at \(t.instant) NOT NULL,
                expires_at \(t.instant) NOT NULL,
                ended_at \(t.instant)
            )
            """,
            "CREATE INDEX web_sessions_user ON web_sessions (user_id)",
            // One row per throttled key: `user:<name>` or `ip:<address>`.
            """
            CREATE TABLE login_throttle (
                throttle_key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                last_failure_at \(t.instant) NOT NULL,
                locked_until \(t.instant)
            )
            """,
        ]
    }
}
