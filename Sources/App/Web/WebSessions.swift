import CarteraCore
import CarteraSecurity
import Foundation
import SQLKit
import Store

/// Back-office sessions, kept in the database so that every app instance sees them.
///
/// The browser holds a random 256-bit token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy of
/// the database cannot be used to take over a session. A session ends after `idleSeconds` without requests or
/// `absoluteSeconds` after sign-in, whichever comes first, and at sign-out. Every change of state (password accepted,
/// second factor accepted) issues a new token, so a token seen before sign-in is worthless after it.
public struct WebSessions: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp
    public let idleSeconds: Int64
    public let absoluteSeconds: Int64

    /// The idle limit is checked to the minute: `last_seen_at` is written at most once a minute per session.
    static let touchIntervalSeconds: Int64 = 60

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp, idleSeconds: Int64 = 30 * 60, absoluteSeconds: Int64 = 12 * 3600) {
        self.database = database
        self.keys = keys
        self.clock = clock
        self.idleSeconds = idleSeconds
        self.absoluteSeconds = absoluteSeconds
    }

    /// Where a session is in the sign-in sequence.
    public enum State: String, Sendable {
        /// Password accepted; the TOTP code or a recovery code is still due.
        case awaitingSecondFactor = "awaiting_second_factor"
        /// Password accepted, but the role requires a second factor the user has not set up: enrolment only.
        case enrolmentRequired = "enrolment_required"
        /// Signed in with a password an administrator chose: changing it is the only thing left to do.
        case passwordChangeRequired = "password_change_required"
        /// Fully signed in.
        case active
    }

    /// A live session and its user.
    public struct Session: Sendable {
        public let tokenHash: String
        public let state: State
        public let csrfToken: String
        public let user: User
        public let createdAt: Timestamp
        public let lastSeenAt: Timestamp
    }

    /// The signed-in user, as the pages need it.
    public struct User: Sendable {
        public let id: String
        public let username: String
        public let displayName: String
        public let role: Role
        public let lenderID: String
        public let hasSecondFactor: Bool
        public let passwordChangeRequired: Bool
        /// For a borrower: the client whose loans the portal shows.
        public let clientID: String?
    }

    /// The state a sign-in reaches once the steps done so far are done.
    public static func nextState(role: Role, enrolled: Bool, secondFactorDone: Bool, passwordChangeRequired: Bool) -> State {
        if enrolled && !secondFactorDone { return .awaitingSecondFactor }
        if !enrolled && role.requiresMFA { return .enrolmentRequired }
        return passwordChangeRequired ? .passwordChangeRequired : .active
    }

    /// Starts a session for `userID` and returns the token for the cookie.
    public func start(userID: String, state: State, ipAddress: String, userAgent: String, on db: any SQLDatabase) async throws -> String {
        let token = ByteEncoding.base64URL(ByteEncoding.randomBytes(32))
        let now = clock()
        try await db.raw(
            """
            INSERT INTO web_sessions (token_hash, user_id, state, csrf_token, ip_address, user_agent, created_at, last_seen_at, expires_at)
            VALUES (\(bind: Self.hash(token)), \(bind: userID), \(bind: state.rawValue), \(bind: ByteEncoding.base64URL(ByteEncoding.randomBytes(32))),
                    \(bind: String(ipAddress.prefix(64))), \(bind: String(userAgent.prefix(256))), \(bind: now.text), \(bind: now.text),
                    \(bind: now.adding(seconds: absoluteSeconds).text))
            """
        ).run()
        return token
    }

    /// The live session for a cookie token, or nil when it is unknown, ended or expired. Refreshes `last_seen_at`.
    public func find(token: String) async throws -> Session? {
        guard token.utf8.count == 43 else { return nil }
        let hash = Self.hash(token)
        let now = clock()
        let row = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT s.state, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.ended_at,
                       u.id, u.username, u.display_name, u.role, u.lender_id, u.active, u.totp_enabled_at, u.password_change_required, u.client_id
                FROM web_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: hash)
                """
            ).first()
        }
        guard let row,
            try row.decodeNil(column: "ended_at"),
            try row.decode(column: "active", as: Bool.self),
            let state = State(rawValue: try row.decode(column: "state", as: String.self)),
            let role = Role(rawValue: try row.decode(column: "role", as: String.self)),
            let createdAt = Timestamp(text: try row.decode(column: "created_at", as: String.self)),
            let lastSeen = Timestamp(text: try row.decode(column: "last_seen_at", as: String.self)),
            let expiresAt = Timestamp(text: try row.decode(column: "expires_at", as: String.self))
        else { return nil }
        guard now < expiresAt, now < lastSeen.adding(seconds: idleSeconds) else {
            try await end(tokenHash: hash)
            return nil
        }
        if now.millisecondsSince1970 - lastSeen.millisecondsSince1970 >= Self.touchIntervalSeconds * 1000 {
            try await database.transaction { db in
                try await db.raw("UPDATE web_sessions SET last_seen_at = \(bind: now.text) WHERE token_hash = \(bind: hash)").run()
            }
        }
        let user = User(
            id: try row.decode(column: "id", as: String.self),
            username: try row.decode(column: "username", as: String.self),
            displayName: try keys.readable(try row.decode(column: "display_name", as: String.self), field: "users.display_name"),
            role: role,
            lenderID: try row.decode(column: "lender_id", as: String.self),
            hasSecondFactor: !(try row.decodeNil(column: "totp_enabled_at")),
            passwordChangeRequired: try row.decode(column: "password_change_required", as: Bool.self),
            clientID: try row.decode(column: "client_id", as: String?.self)
        )
        return Session(
            tokenHash: hash, state: state, csrfToken: try row.decode(column: "csrf_token", as: String.self), user: user,
            createdAt: createdAt, lastSeenAt: lastSeen
        )
    }

    /// Ends a session (sign-out, expiry).
    public func end(tokenHash: String) async throws {
        let now = clock()
        try await database.transaction { db in
            try await end(tokenHash: tokenHash, at: now, on: db)
        }
    }

    /// Ends a session inside the caller's transaction.
    public func end(tokenHash: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE web_sessions SET ended_at = \(bind: now.text) WHERE token_hash = \(bind: tokenHash) AND ended_at IS NULL").run()
    }

    /// Ends every session of a user (deactivation, second-factor reset).
    public func endAll(userID: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE web_sessions SET ended_at = \(bind: now.text) WHERE user_id = \(bind: userID) AND ended_at IS NULL").run()
    }

    /// Replaces a session by a new one in `state` (same user, new token): used when sign-in moves a step forward.
    public func advance(_ session: Session, to state: State, ipAddress: String, userAgent: String, on db: any SQLDatabase) async throws -> String {
        try await end(tokenHash: session.tokenHash, at: clock(), on: db)
        return try await start(userID: session.user.id, state: state, ipAddress: ipAddress, userAgent: userAgent, on: db)
    }

    static func hash(_ token: String) -> String { AuditChain.digest(Array(token.utf8)) }
}
