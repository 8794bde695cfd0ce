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
    let keys: LiveKeys
    let audit: AuditWriter
    let clock: @Sendable () -> Timestamp

    public init(database: Database, sessions: WebSessions, keys: LiveKeys, audit: AuditWriter, clock: @escaping @Sendable () -> Timestamp) {
        self.database = database
        self.sessions = sessions
        self.keys = keys
        self.audit = audit
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
    ///
    /// The attempt is counted against the user name and the address before the password is checked, so parallel
    /// guesses cannot slip past the lock; a correct password takes the count back.
    public func password(username rawUsername: String, password: String, attempt: Attempt) async throws -> Outcome {
        let username = String(rawUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().prefix(64))
        let now = clock()
        let keys = [ThrottleKey.account(username)] + ThrottleKey.address(attempt.ipAddress)
        let lockedNow: Int64?
        switch try await admit(keys, now: now) {
        case .refused(let wait):
            try await record(actorKind: .anonymous, actorID: username, action: "auth.login", outcome: .denied, attempt: attempt, objectID: "throttled")
            return .refused(message: Self.throttledMessage(wait))
        case .admitted(let lock):
            lockedNow = lock
        }
        let row = try await database.withConnection { db in
            try await db.raw(
                "SELECT id, password_hash, role, active, totp_enabled_at, password_change_required FROM users WHERE username = \(bind: username)"
            ).first()
        }
        let storedHash = try row?.decode(column: "password_hash", as: String.self) ?? Self.decoyHash
        let matches = await BcryptGate.shared.verify(password, storedHash)
        guard let row, matches, try row.decode(column: "active", as: Bool.self),
            let role = Role(rawValue: try row.decode(column: "role", as: String.self))
        else {
            try await record(
                actorKind: .anonymous, actorID: username, action: "auth.login", outcome: .failure, attempt: attempt, objectID: lockedNow == nil ? "" : "locked"
            )
            return .refused(message: lockedNow.map(Self.throttledMessage) ?? Self.genericRefusal)
        }
        let userID = try row.decode(column: "id", as: String.self)
        let enrolled = !(try row.decodeNil(column: "totp_enabled_at"))
        let state = WebSessions.nextState(
            role: role, enrolled: enrolled, secondFactorDone: false,
            passwordChangeRequired: try row.decode(column: "password_change_required", as: Bool.self)
        )
        let token = try await database.transaction { db in
            // A right password clears the user name's count; the second factor keeps its own until a full sign-in.
            try await forgive(keys + (state == .active ? [.secondFactor(userID)] : []), on: db)
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
    ///
    /// Codes have their own count per user (`mfa:<user id>`), cleared only by a full sign-in, so signing in again with
    /// the password does not buy more guesses; when it locks, the waiting session ends.
    public func secondFactor(code rawCode: String, session: WebSessions.Session, attempt: Attempt) async throws -> Outcome {
        let user = session.user
        let now = clock()
        let keys = [ThrottleKey.secondFactor(user.id)] + ThrottleKey.address(attempt.ipAddress)
        let lockedNow: Int64?
        switch try await admit(keys, now: now) {
        case .refused(let wait):
            try await record(actorKind: .user, actorID: user.id, action: "auth.mfa", outcome: .denied, attempt: attempt, objectID: "throttled")
            return .refused(message: Self.throttledMessage(wait))
        case .admitted(let lock):
            lockedNow = lock
        }
        let code = rawCode.filter { !$0.isWhitespace }
        let accepted: String? = try await database.transaction { db -> String? in
            if code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) {
                let row = try await db.raw("SELECT totp_secret, totp_last_step FROM users WHERE id = \(bind: user.id)").first()
                guard let row, let stored = try row.decode(column: "totp_secret", as: String?.self) else { return nil }
                let secret = try self.keys.decrypt(stored, field: "users.totp_secret")
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
            try await database.transaction { db in
                if lockedNow != nil { try await sessions.end(tokenHash: session.tokenHash, at: now, on: db) }
                try await AuditLog.append(
                    entry(kind: .user, actorID: user.id, action: "auth.mfa", outcome: .failure, attempt: attempt, objectID: lockedNow == nil ? "" : "locked"),
                    on: db
                )
            }
            return .refused(
                message: lockedNow.map(Self.throttledMessage) ?? "Código incorrecto o ya usado. Escriba el código de 6 dígitos que muestra su aplicación."
            )
        }
        let next = WebSessions.nextState(role: user.role, enrolled: true, secondFactorDone: true, passwordChangeRequired: user.passwordChangeRequired)
        let token = try await database.transaction { db in
            try await forgive(keys + [.account(user.username)], on: db)
            try await AuditLog.append(
                entry(kind: .user, actorID: user.id, action: "auth.login", outcome: .success, attempt: attempt, objectID: accepted),
                on: db
            )
            return try await sessions.advance(session, to: next, ipAddress: attempt.ipAddress, userAgent: attempt.userAgent, on: db)
        }
        return .session(token: token, state: next)
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

    /// A throttled key and its threshold.
    struct ThrottleKey: Equatable {
        let key: String
        let threshold: Int

        static func account(_ username: String) -> ThrottleKey { ThrottleKey(key: "user:\(username)", threshold: LoginThrottle.accountThreshold) }
        static func secondFactor(_ userID: String) -> ThrottleKey { ThrottleKey(key: "mfa:\(userID)", threshold: LoginThrottle.accountThreshold) }
        static func address(_ ip: String) -> [ThrottleKey] {
            ip.isEmpty ? [] : [ThrottleKey(key: "ip:\(ip)", threshold: LoginThrottle.addressThreshold)]
        }
        var isAddress: Bool { key.hasPrefix("ip:") }
    }

    enum Admission: Equatable {
        /// A key is locked: refused without counting or checking anything.
        case refused(wait: Int64)
        /// Counted; `lock` is the wait this attempt started, when it reached a threshold.
        case admitted(lock: Int64?)
    }

    /// In one transaction: refuses when a key is locked; otherwise counts the attempt against every key and locks the
    /// keys that reach their threshold.
    ///
    /// Every key's row is created if missing and then locked, in a fixed order, for the rest of the transaction:
    /// concurrent attempts queue on the lock and each sees the count the previous one committed (PostgreSQL, READ
    /// COMMITTED with `FOR UPDATE`, so a burst never fails on serialization; SQLite writers are serialised anyway).
    func admit(_ keys: [ThrottleKey], now: Timestamp) async throws -> Admission {
        let lockClause = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.transaction(isolation: .readCommitted) { db -> Admission in
            var rows: [String: (failures: Int, last: Timestamp?, lockedUntil: Timestamp?)] = [:]
            for key in keys.map(\.key).sorted() {
                try await db.raw(
                    """
                    INSERT INTO login_throttle (throttle_key, failures, last_failure_at, locked_until)
                    VALUES (\(bind: key), 0, \(bind: now.text), NULL) ON CONFLICT (throttle_key) DO NOTHING
                    """
                ).run()
                guard let row = try await db.raw(
                    "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE throttle_key = \(bind: key)\(unsafeRaw: lockClause)"
                ).first() else { continue }
                rows[key] = (
                    try row.decode(column: "failures", as: Int.self),
                    Timestamp(text: try row.decode(column: "last_failure_at", as: String.self)),
                    (try row.decode(column: "locked_until", as: String?.self)).flatMap(Timestamp.init(text:))
                )
            }
            let waits = rows.values.compactMap { row -> Int64? in
                guard let until = row.lockedUntil, now < until else { return nil }
                return max(1, (until.millisecondsSince1970 - now.millisecondsSince1970 + 999) / 1000)
            }
            if let wait = waits.max() { return .refused(wait: wait) }
            var longest: Int64 = 0
            for key in keys {
                var failures = 1
                if let row = rows[key.key], let last = row.last, now < last.adding(seconds: LoginThrottle.forgetAfterSeconds) {
                    failures = row.failures + 1
                }
                let lock = LoginThrottle.lockSeconds(failures: failures, threshold: key.threshold)
                longest = max(longest, lock)
                let lockedUntil: String? = lock > 0 ? now.adding(seconds: lock).text : nil
                try await db.raw(
                    """
                    UPDATE login_throttle SET failures = \(bind: failures), last_failure_at = \(bind: now.text),
                           locked_until = \(bind: lockedUntil) WHERE throttle_key = \(bind: key.key)
                    """
                ).run()
            }
            return .admitted(lock: longest > 0 ? longest : nil)
        }
    }

    /// Takes back a successful attempt: an account's or second factor's count is cleared; an address's loses the one
    /// attempt that was counted (other people's failures from the same office stay).
    func forgive(_ keys: [ThrottleKey], on db: any SQLDatabase) async throws {
        for key in keys {
            if key.isAddress {
                try await db.raw(
                    """
                    UPDATE login_throttle SET failures = failures - 1,
                           locked_until = CASE WHEN failures - 1 < \(bind: key.threshold) THEN NULL ELSE locked_until END
                    WHERE throttle_key = \(bind: key.key) AND failures > 0
                    """
                ).run()
            } else {
                try await db.raw("DELETE FROM login_throttle WHERE throttle_key = \(bind: key.key)").run()
            }
        }
    }

    static func throttledMessage(_ seconds: Int64) -> String {
        "Demasiados intentos fallidos. Espere \(LoginThrottle.describe(seconds: seconds)) antes de intentar de nuevo, o pida a un administrador que desbloquee la cuenta."
    }

    // MARK: Helpers

    /// Appends a standalone entry through the group-committing writer (a burst of refused attempts is one transaction).
    func record(actorKind: AuditEntry.ActorKind, actorID: String, action: String, outcome: AuditEntry.Outcome, attempt: Attempt, objectID: String = "") async throws {
        try await audit.append(entry(kind: actorKind, actorID: actorID, action: action, outcome: outcome, attempt: attempt, objectID: objectID))
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
