import CarteraCore
import CarteraSecurity
import Foundation
import HummingbirdOTP
import SQLKit
import Store

/// Setting up and resetting a user's second factor: a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) for an
/// authenticator app, confirmed with a first code, plus ten one-time recovery codes.
public struct SecondFactorEnrolment: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp
    /// The issuer shown in the authenticator app.
    let issuer: String

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp, issuer: String = "Cartera") {
        self.database = database
        self.keys = keys
        self.clock = clock
        self.issuer = issuer
    }

    /// What the enrolment page shows: the secret for typing and the `otpauth://` URI for a QR code.
    public struct Offer: Sendable {
        /// The secret in base 32, grouped by four for reading.
        public let secretForPeople: String
        public let uri: String
    }

    /// The pending secret for `user` (created on first call, the same until confirmed), as the app needs it.
    public func offer(for user: WebSessions.User) async throws -> Offer {
        let secret = try await database.transaction { db -> String in
            let row = try await db.raw("SELECT totp_pending_secret FROM users WHERE id = \(bind: user.id)").first()
            if let stored = try row?.decode(column: "totp_pending_secret", as: String?.self) {
                return try keys.decrypt(stored, field: "users.totp_secret")
            }
            // 32 random characters; their bytes are the HMAC key (HummingbirdOTP keys TOTP with the secret's UTF-8).
            let secret = ByteEncoding.base64URL(ByteEncoding.randomBytes(24))
            try await db.raw(
                "UPDATE users SET totp_pending_secret = \(bind: keys.cipher.encrypt(secret, field: "users.totp_secret")) WHERE id = \(bind: user.id)"
            ).run()
            return secret
        }
        return Self.offer(secret: secret, username: user.username, issuer: issuer)
    }

    static func offer(secret: String, username: String, issuer: String) -> Offer {
        let uri = TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(username)", issuer: issuer)
        let base32 = uri.split(separator: "secret=").last.map { String($0.prefix { $0 != "&" }) } ?? ""
        let grouped = stride(from: 0, to: base32.count, by: 4).map { start -> String in
            let from = base32.index(base32.startIndex, offsetBy: start)
            return String(base32[from..<(base32.index(from, offsetBy: 4, limitedBy: base32.endIndex) ?? base32.endIndex)])
        }
        return Offer(secretForPeople: grouped.joined(separator: " "), uri: uri)
    }

    /// A refused confirmation.
    public struct Refusal: CarteraError, Equatable {
        public let code: String
        public let message: String
    }

    /// Confirms the pending secret with a code from the app. Returns the new recovery codes (shown once).
    public func confirm(user: WebSessions.User, code: String, actor: Administration.Actor) async throws -> [String] {
        let now = clock()
        let codes = RecoveryCodes.generate()
        let confirmed = try await database.transaction { db -> Bool in
            let row = try await db.raw("SELECT totp_pending_secret FROM users WHERE id = \(bind: user.id)").first()
            guard let stored = try row?.decode(column: "totp_pending_secret", as: String?.self) else { return false }
            let secret = try keys.decrypt(stored, field: "users.totp_secret")
            let digits = code.filter { !$0.isWhitespace }
            guard digits.count == 6, let step = SignIn.matchingStep(code: digits, secret: secret, at: now, after: 0) else {
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "mfa.enrol", objectType: "user", objectID: user.id, at: now, change: "", outcome: .failure),
                    on: db
                )
                return false
            }
            try await db.raw(
                """
                UPDATE users SET totp_secret = \(bind: stored), totp_pending_secret = NULL, totp_enabled_at = \(bind: now.text),
                       totp_last_step = \(bind: step) WHERE id = \(bind: user.id)
                """
            ).run()
            try await db.raw("DELETE FROM user_recovery_codes WHERE user_id = \(bind: user.id)").run()
            for code in codes {
                guard let normalized = RecoveryCodes.normalize(code) else { continue }
                try await db.raw(
                    """
                    INSERT INTO user_recovery_codes (user_id, code_hash, created_at)
                    VALUES (\(bind: user.id), \(bind: RecoveryCodes.hash(normalized, userID: user.id)), \(bind: now.text))
                    """
                ).run()
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "mfa.enrol", objectType: "user", objectID: user.id, at: now, change: "totp"),
                on: db
            )
            return true
        }
        guard confirmed else {
            throw Refusal(code: "mfa_code_invalid", message: "El código no coincide. Revise que la hora de su teléfono sea correcta y escriba el código actual de 6 dígitos.")
        }
        return codes
    }

    /// How many unused recovery codes the user has left.
    public func remainingRecoveryCodes(userID: String) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM user_recovery_codes WHERE user_id = \(bind: userID) AND used_at IS NULL")
                .first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }
}
