import CarteraCore
import CarteraSecurity
import Foundation
import HummingbirdBcrypt
import SQLKit
import Store

extension Administration {
    /// A user as the administration page lists it.
    public struct UserSummary: Sendable {
        public let id: String
        public let username: String
        public let displayName: String
        public let role: Role
        public let active: Bool
        public let hasSecondFactor: Bool
        /// Whether sign-in is locked after repeated failures right now.
        public let locked: Bool
    }

    /// Every user of the installation, by user name.
    public func users() async throws -> [UserSummary] {
        let now = clock()
        return try await database.withConnection { db in
            let locks = try await db.raw("SELECT throttle_key, locked_until FROM login_throttle WHERE locked_until IS NOT NULL").all()
            var locked = Set<String>()
            for row in locks {
                if let until = Timestamp(text: try row.decode(column: "locked_until", as: String.self)), now < until {
                    locked.insert(try row.decode(column: "throttle_key", as: String.self))
                }
            }
            return try await db.raw(
                "SELECT id, username, display_name, role, active, totp_enabled_at FROM users ORDER BY username"
            ).all().map { row in
                let username = try row.decode(column: "username", as: String.self)
                let id = try row.decode(column: "id", as: String.self)
                return UserSummary(
                    id: id,
                    username: username,
                    displayName: try keys.readable(try row.decode(column: "display_name", as: String.self), field: "users.display_name"),
                    role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .auditor,
                    active: try row.decode(column: "active", as: Bool.self),
                    hasSecondFactor: !(try row.decodeNil(column: "totp_enabled_at")),
                    locked: locked.contains("user:\(username)") || locked.contains("mfa:\(id)")
                )
            }
        }
    }

    /// Activates or deactivates a user; deactivation ends the user's sessions at once.
    public func setActive(userID: String, active: Bool, actor: Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            let username = try await Self.requireUser(userID, on: db)
            guard userID != actor.id else {
                throw Refusal(code: "user_self_change", message: "No puede desactivar su propia cuenta. Pida a otro administrador que lo haga.")
            }
            try await db.raw("UPDATE users SET active = \(unsafeRaw: active ? "TRUE" : "FALSE") WHERE id = \(bind: userID)").run()
            if !active {
                try await db.raw("UPDATE web_sessions SET ended_at = \(bind: now.text) WHERE user_id = \(bind: userID) AND ended_at IS NULL").run()
            }
            try await AuditLog.append(
                Self.entry(actor: actor, action: active ? "user.activate" : "user.deactivate", objectType: "user", objectID: userID, at: now,
                           change: "\(username)|active=\(active)"),
                on: db
            )
        }
    }

    /// Removes a user's second factor and recovery codes (lost phone); the user sets up a new one at next sign-in.
    public func resetSecondFactor(userID: String, actor: Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            let username = try await Self.requireUser(userID, on: db)
            guard userID != actor.id else {
                throw Refusal(code: "user_self_change", message: "No puede restablecer su propio segundo factor. Pida a otro administrador que lo haga.")
            }
            try await db.raw(
                """
                UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0
                WHERE id = \(bind: userID)
                """
            ).run()
            try await db.raw("DELETE FROM user_recovery_codes WHERE user_id = \(bind: userID)").run()
            try await db.raw("UPDATE web_sessions SET ended_at = \(bind: now.text) WHERE user_id = \(bind: userID) AND ended_at IS NULL").run()
            try await AuditLog.append(
                Self.entry(actor: actor, action: "mfa.reset", objectType: "user", objectID: userID, at: now, change: username),
                on: db
            )
        }
    }

    /// Lifts a user's sign-in locks (password and second factor).
    public func unlock(userID: String, actor: Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            let username = try await Self.requireUser(userID, on: db)
            try await db.raw("DELETE FROM login_throttle WHERE throttle_key IN (\(bind: "user:\(username)"), \(bind: "mfa:\(userID)"))").run()
            try await AuditLog.append(
                Self.entry(actor: actor, action: "user.unlock", objectType: "user", objectID: userID, at: now, change: username),
                on: db
            )
        }
    }

    /// Replaces a user's password after checking the current one and the policy; ends the user's other sessions.
    public func changePassword(userID: String, current: String, new: String, keepingSession tokenHash: String, actor: Actor) async throws {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT username, password_hash FROM users WHERE id = \(bind: userID)").first()
        }
        guard let row else { throw Refusal(code: "user_not_found", message: "El usuario no existe.") }
        let username = try row.decode(column: "username", as: String.self)
        guard await BcryptGate.shared.verify(current, try row.decode(column: "password_hash", as: String.self)) else {
            let now = clock()
            try await database.transaction { db in
                try await AuditLog.append(
                    Self.entry(actor: actor, action: "user.password_change", objectType: "user", objectID: userID, at: now, change: "", outcome: .failure),
                    on: db
                )
            }
            throw Refusal(code: "password_current_wrong", message: "La contraseña actual no es correcta. Escríbala de nuevo.")
        }
        guard current != new else {
            throw Refusal(code: "password_unchanged", message: "La contraseña nueva debe ser distinta de la actual.")
        }
        try PasswordPolicy.check(new, username: username)
        let cost = bcryptCost
        let hash = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.hash(new, cost: cost)) }
        }
        let now = clock()
        try await database.transaction { db in
            try await db.raw(
                "UPDATE users SET password_hash = \(bind: hash), password_change_required = FALSE WHERE id = \(bind: userID)"
            ).run()
            try await db.raw(
                """
                UPDATE web_sessions SET ended_at = \(bind: now.text)
                WHERE user_id = \(bind: userID) AND ended_at IS NULL AND token_hash <> \(bind: tokenHash)
                """
            ).run()
            try await AuditLog.append(
                Self.entry(actor: actor, action: "user.password_change", objectType: "user", objectID: userID, at: now, change: username),
                on: db
            )
        }
    }

    static func requireUser(_ userID: String, on db: any SQLDatabase) async throws -> String {
        guard let username = try await db.raw("SELECT username FROM users WHERE id = \(bind: userID)").first(decodingColumn: "username", as: String.self) else {
            throw Refusal(code: "user_not_found", message: "El usuario no existe. Vuelva a la lista de usuarios.")
        }
        return username
    }
}
