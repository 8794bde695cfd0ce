import CarteraCore
import CarteraSecurity
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import SQLKit
import Store

/// Signing in to the back office: password, throttling, second factor, and their audit entries.
///
/// Messages never tell whether a user name exists: an unknown name, a wrong password and an inactive user all get the
/// same answer, after the same bcrypt work. Every attempt — accepted, refused or throttled — is written to the audit
/// log in the same transaction as its effect.
public struct SignIn: Sendable {
    let database: Database
    let sessions: WebSessions
    let cipher: FieldCipher
    let clock: @Sendable () -> Timestamp

    public init(database: Database, sessions: WebSessions, cipher: FieldCipher, clock: @escaping @Sendable () -> Timestamp) {
        self.database = database
        self.sessions = sessions
        self.cipher = cipher
        self.clock = clock
    }

    /// Who is trying, from where.
    public struct Attempt: Sendable {
        public let ipAddress: String
        public let userAgent: String
        public let requestID: String
    }

    /// The outcome of a step, for the pages.
    public enum Outcome: Sendable, Equatable {
        /// A new session token (for the cookie) and the state it is in.
        case session(token: String, state: WebSessions.State)
        /// Refused; the message is safe to show.
        case refused(message: String)
    }

    static let genericRefusal = "Usuario, contraseña o código incorrectos."
    /// A bcrypt hash checked when the user name is unknown, so that the answer takes as long as for a real user.
    static let decoyHash = Bcrypt.hash("decoy password that matches nothing", cost: 12)

    // MARK: Password

    /// Checks the password; on success starts a session in the state the user's second factor calls for.
    public func password(username rawUsername: String, password: String, attempt: Attempt) async throws -> Outcome {
        let username = String(rawUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().prefix(64))
        let now = clock()
        if let wait = try await lockedSeconds(keys: throttleKeys(username: username, attempt: attempt), now: now) {
            try await record(actorKind: .anonymous, actorID: username, action: "auth.login", outcome: .denied, attempt: attempt, objectID: "throttled")
            return .refused(message: Self.throttledMessage(wait))
        }
        let row = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, password_hash, role, active, totp_enabled_at FROM users WHERE username = \(bind: username)"
            ).first()
        }
        let storedHash = try row?.decode(column: "password_hash", as: String.self) ?? Self.decoyHash
        let matches = await Self.verify(password, storedHash)
        guard let row, matches, try row.decode(column: "active", as: Bool.self),
            let role = Role(rawValue: try row.decode(column: "role", as: String.self))
        else {
            let wait = try await fail(username: username, attempt: attempt, now: now, action: "auth.login")
            return .refused(message: wait.map(Self.throttledMessage) ?? Self.genericRefusal)
        }
        let userID = try row.decode(column: "id", as: String.self)
        let enrolled = !(try row.decodeNil(column: "totp_enabled_at"))
        let state: WebSessions.State = enrolled ? .awaitingSecondFactor : (role.requiresMFA ? .enrolmentRequired : .active)
        let token = try await database.transaction { db in
            try await clearThrottle(key: "user:\(username)", on: db)
            try await AuditLog.append(
                entry(kind: .user, actorID: userID, action: state == .active ? "auth.login" : "auth.password", outcome: .success, attempt: attempt),
                on: db
            )
            return try await sessions.start(userID: userID, state: state, ipAddress: attempt.ipAddress, userAgent: attempt.userAgent, on: db)
        }
        return .session(token: token, state: state)
    }

    // MARK: Second factor

    /// Checks a TOTP code or a recovery code for a session awaiting its second factor.
    public func secondFactor(code rawCode: String, session: WebSessions.Session, attempt: Attempt) async throws -> Outcome {
        let user = session.user
        let now = clock()
        let keys = ["user:\(user.username)"]
        if let wait = try await lockedSeconds(keys: keys, now: now) {
            try await record(actorKind: .user, actorID: user.id, action: "auth.mfa", outcome: .denied, attempt: attempt, objectID: "throttled")
            return .refused(message: Self.throttledMessage(wait))
        }
        let code = rawCode.filter { !$0.isWhitespace }
        let accepted: String? = try await database.transaction { db -> String? in
            if code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) {
                let row = try await db.raw("SELECT totp_secret, totp_last_step FROM users WHERE id = \(bind: user.id)").first()
                guard let row, let stored = try row.decodeNil(column: "totp_secret") ? nil : try row.decode(column: "totp_secret", as: String.self)
                else { return nil }
                let secret = try cipher.decrypt(stored, field: "users.totp_secret")
                let lastStep = try row.decode(column: "totp_last_step", as: Int64.self)
                guard let step = Self.matchingStep(code: code, secret: secret, at: now, after: lastStep) else { return nil }
                try await db.raw("UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: user.id)").run()
                return "totp"
            }
            guard let normalized = RecoveryCodes.normalize(code) else { return nil }
            let hash = RecoveryCodes.hash(normalized, userID: user.id)
            let used = try await db.raw(
                """
                UPDATE user_recovery_codes SET used_at = \(bind: now.text)
                WHERE user_id = \(bind: user.id) AND code_hash = \(bind: hash) AND used_at IS NULL
                RETURNING code_hash
                """
            ).first()
            return used == nil ? nil : "recovery_code"
        }
        guard let accepted else {
            let wait = try await fail(username: user.username, attempt: attempt, now: now, action: "auth.mfa", actor: (.user, user.id))
            return .refused(message: wait.map(Self.throttledMessage) ?? "Código incorrecto o ya usado. Escriba el código de 6 dígitos que muestra su aplicación.")
        }
        let token = try await database.transaction { db in
            try await clearThrottle(key: "user:\(user.username)", on: db)
            try await AuditLog.append(
                entry(kind: .user, actorID: user.id, action: "auth.login", outcome: .success, attempt: attempt, objectID: accepted),
                on: db
            )
            return try await sessions.advance(session, to: .active, ipAddress: attempt.ipAddress, userAgent: attempt.userAgent, on: db)
        }
        return .session(token: token, state: .active)
    }

    /// The time step whose code equals `code`, within one step either side of now and later than `lastStep`.
    static func matchingStep(code: String, secret: String, at now: Timestamp, after lastStep: Int64) -> Int64? {
        let totp = TOTP(secret: secret)
        let current = now.millisecondsSince1970 / 1000 / 30
        for step in [current, current - 1, current + 1] where step > lastStep {
            let value = totp.compute(date: Date(timeIntervalSince1970: TimeInterval(step * 30)))
            if String(format: "%06d", value) == code { return step }
        }
        return nil
    }

    // MARK: Throttling

    func throttleKeys(username: String, attempt: Attempt) -> [String] {
        ["user:\(username)"] + (attempt.ipAddress.isEmpty ? [] : ["ip:\(attempt.ipAddress)"])
    }

    /// The longest remaining lock among `keys`, or nil when none is locked.
    func lockedSeconds(keys: [String], now: Timestamp) async throws -> Int64? {
        let rows = try await database.withConnection { db in
            try await db.select().column("locked_until").from("login_throttle").where("throttle_key", .in, keys).all()
        }
        let waits = try rows.compactMap { row -> Int64? in
            guard let text = try row.decode(column: "locked_until", as: String?.self), let until = Timestamp(text: text), now < until else { return nil }
            return max(1, (until.millisecondsSince1970 - now.millisecondsSince1970 + 999) / 1000)
        }
        return waits.max()
    }

    /// Counts a failure against the account and the address, locks them when they reach their thresholds, and audits
    /// the attempt. Returns the wait when this failure locked a key.
    func fail(username: String, attempt: Attempt, now: Timestamp, action: String, actor: (AuditEntry.ActorKind, String)? = nil) async throws -> Int64? {
        try await database.transaction { db -> Int64? in
            var longest: Int64 = 0
            for key in throttleKeys(username: username, attempt: attempt) {
                let threshold = key.hasPrefix("user:") ? LoginThrottle.accountThreshold : LoginThrottle.addressThreshold
                let row = try await db.raw("SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = \(bind: key)").first()
                var failures = 1
                if let row, let last = Timestamp(text: try row.decode(column: "last_failure_at", as: String.self)),
                    now < last.adding(seconds: LoginThrottle.forgetAfterSeconds) {
                    failures = try row.decode(column: "failures", as: Int.self) + 1
                }
                let lock = LoginThrottle.lockSeconds(failures: failures, threshold: threshold)
                longest = max(longest, lock)
                let lockedUntil: String? = lock > 0 ? now.adding(seconds: lock).text : nil
                if row == nil {
                    try await db.raw(
                        """
                        INSERT INTO login_throttle (throttle_key, failures, last_failure_at, locked_until)
                        VALUES (\(bind: key), \(bind: failures), \(bind: now.text), \(bind: lockedUntil))
                        """
                    ).run()
                } else {
                    try await db.raw(
                        """
                        UPDATE login_throttle SET failures = \(bind: failures), last_failure_at = \(bind: now.text),
                               locked_until = \(bind: lockedUntil) WHERE throttle_key = \(bind: key)
                        """
                    ).run()
                }
            }
            let (kind, id) = actor ?? (.anonymous, username)
            try await AuditLog.append(
                entry(kind: kind, actorID: id, action: action, outcome: .failure, attempt: attempt, objectID: longest > 0 ? "locked" : ""),
                on: db
            )
            return longest > 0 ? longest : nil
        }
    }

    func clearThrottle(key: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM login_throttle WHERE throttle_key = \(bind: key)").run()
    }

    /// Lifts the lock on a user name (an administrator's action, audited by the caller).
    public func unlock(username: String, on db: any SQLDatabase) async throws {
        try await clearThrottle(key: "user:\(username)", on: db)
    }

    static func throttledMessage(_ seconds: Int64) -> String {
        "Demasiados intentos fallidos. Espere \(LoginThrottle.describe(seconds: seconds)) antes de intentar de nuevo, o pida a un administrador que desbloquee la cuenta."
    }

    // MARK: Helpers

    /// bcrypt is slow by design: run it off the cooperative pool.
    static func verify(_ password: String, _ hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    func record(actorKind: AuditEntry.ActorKind, actorID: String, action: String, outcome: AuditEntry.Outcome, attempt: Attempt, objectID: String = "") async throws {
        try await database.transaction { db in
            try await AuditLog.append(entry(kind: actorKind, actorID: actorID, action: action, outcome: outcome, attempt: attempt, objectID: objectID), on: db)
        }
    }

    func entry(kind: AuditEntry.ActorKind, actorID: String, action: String, outcome: AuditEntry.Outcome, attempt: Attempt, objectID: String = "") -> AuditEntry {
        .draft(
            at: clock(), actorKind: kind, actorID: actorID, ipAddress: attempt.ipAddress, action: action,
            objectType: objectID.isEmpty ? "" : "auth", objectID: objectID, outcome: outcome, requestID: attempt.requestID
        )
    }
}

extension SignIn {
    /// Ends a session at the user's request.
    public func signOut(_ session: WebSessions.Session, attempt: Attempt) async throws {
        try await database.transaction { db in
            try await sessions.end(tokenHash: session.tokenHash, at: clock(), on: db)
            try await AuditLog.append(entry(kind: .user, actorID: session.user.id, action: "auth.logout", outcome: .success, attempt: attempt), on: db)
        }
    }
}
