import CarteraCore
import Foundation
import JWTKit
import NIOConcurrencyHelpers
import SQLKit
import CarteraSecurity
import Store

/// The claims of a Cartera access token.
struct AccessToken: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var scope: String
    var lender: String

    func verify(using algorithm: some JWTAlgorithm) throws {
        guard iss.value == TokenService.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
        try exp.verifyNotExpired()
    }
}

/// Issues and verifies short-lived access tokens: ES256 JWTs signed with a key that is generated at first start, or
/// given in the configuration (`CARTERA_SIGNING_KEY_FILE`), and stored encrypted (`FieldCipher`) in `signing_keys`.
///
/// Every stored key verifies; the newest one not retired signs. Rotating (`cartera keys rotate-signing`) adds a key and
/// retires the others, so tokens they signed stay valid until they expire; a retired key verifies only tokens issued
/// before its retirement (plus a minute), and no token may live longer than `lifetimeSeconds`, so a leaked key is
/// useless 16 minutes after rotation. Every app instance picks up a new key by itself: it re-reads the table when it
/// meets a token signed by a key it does not know, and at least once a minute before signing.
public final class TokenService: Sendable {
    static let issuer = "cartera"
    static let field = "signing_keys.private_key"
    /// Lifetime of an access token, in seconds.
    public static let lifetimeSeconds: Int64 = 900
    /// How often an instance re-reads the signing keys before it signs.
    static let refreshSeconds: Int64 = 60

    let jwtKeys: JWTKeyCollection
    let state: KeyState
    /// Tokens already verified, by their exact text (see `verify`).
    let verified = NIOLockedValueBox<[String: Verified]>([:])
    static let verifiedLimit = 10_000

    /// What a verified token said, kept to answer the next request that carries the same token.
    struct Verified: Sendable {
        let client: AuthenticatedClient
        let keyID: String?
        let issuedAt: Date
    }
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    /// Which keys this instance knows, which one signs, and when the table was last read.
    actor KeyState {
        var known: Set<String> = []
        /// When each retired key stopped signing: it verifies only tokens issued before then.
        var retiredAt: [String: Timestamp] = [:]
        var current = ""
        var lastRefresh = Timestamp(millisecondsSince1970: 0)
        var lastMissRefresh = Timestamp(millisecondsSince1970: 0)

        func update(known: Set<String>, retiredAt: [String: Timestamp], current: String, at now: Timestamp) {
            self.known = known
            self.retiredAt = retiredAt
            self.current = current
            lastRefresh = now
        }

        /// Whether an unknown key id may trigger a re-read now (at most every 5 s, so forged ids cannot flood the database).
        func mayRefreshForMiss(at now: Timestamp) -> Bool {
            guard now >= lastMissRefresh.adding(seconds: 5) else { return false }
            lastMissRefresh = now
            return true
        }
    }

    init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp) {
        self.jwtKeys = JWTKeyCollection()
        self.state = KeyState()
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// Loads the signing keys, creating the first one if there is none. With `configuredKeyPEM` (an ES256 private key
    /// in PEM) that key is stored if new and signs.
    public static func load(
        database: Database, keys: LiveKeys, configuredKeyPEM: String? = nil, clock: @escaping @Sendable () -> Timestamp = { .now }
    ) async throws -> TokenService {
        let service = TokenService(database: database, keys: keys, clock: clock)
        if let configuredKeyPEM {
            try await service.install(pem: configuredKeyPEM)
        } else {
            try await database.transaction { db in
                let live = try await db.raw("SELECT COUNT(*) AS n FROM signing_keys WHERE retired_at IS NULL").first(decodingColumn: "n", as: Int.self) ?? 0
                if live == 0 { try await Self.insert(ES256PrivateKey(), kid: "sk-" + APIClients.randomHex(bytes: 6), cipher: keys.cipher, at: clock(), on: db) }
            }
        }
        try await service.refresh()
        return service
    }

    /// Adds a new signing key and retires the others (they keep verifying). Returns the new key id.
    @discardableResult
    public static func rotate(database: Database, cipher: FieldCipher, actor: Administration.Actor, clock: @escaping @Sendable () -> Timestamp = { .now }) async throws -> String {
        let kid = "sk-" + APIClients.randomHex(bytes: 6)
        let now = clock()
        try await database.transaction { db in
            try await db.raw("UPDATE signing_keys SET retired_at = \(bind: now.text) WHERE retired_at IS NULL").run()
            try await insert(ES256PrivateKey(), kid: kid, cipher: cipher, at: now, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "config.signing_key.rotate", objectType: "signing_key", objectID: kid, at: now, change: kid),
                on: db
            )
        }
        return kid
    }

    /// Makes a configured key the signing key: stored (encrypted) if new, the others retired.
    func install(pem: String) async throws {
        let key: ES256PrivateKey
        do {
            key = try ES256PrivateKey(pem: pem)
        } catch {
            throw ConfigurationError.invalid(setting: "CARTERA_SIGNING_KEY_FILE", value: "(PEM)", expected: "una llave privada ECDSA P-256 (ES256) en formato PEM")
        }
        // The key id is derived from the public key, so every instance configured with the same key agrees on it.
        let kid = "cfg-" + String(AuditChain.digest(Array(key.publicKey.pemRepresentation.utf8)).prefix(12))
        let now = clock()
        try await database.transaction { db in
            let exists = try await db.raw("SELECT kid FROM signing_keys WHERE kid = \(bind: kid)").first() != nil
            try await db.raw("UPDATE signing_keys SET retired_at = \(bind: now.text) WHERE retired_at IS NULL AND kid <> \(bind: kid)").run()
            if exists {
                try await db.raw("UPDATE signing_keys SET retired_at = NULL WHERE kid = \(bind: kid)").run()
            } else {
                try await Self.insert(key, kid: kid, cipher: self.keys.cipher, at: now, on: db)
            }
        }
    }

    static func insert(_ key: ES256PrivateKey, kid: String, cipher: FieldCipher, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO signing_keys (kid, algorithm, private_key, created_at)
            VALUES (\(bind: kid), 'ES256', \(bind: cipher.encrypt(key.pemRepresentation, field: field)), \(bind: now.text))
            """
        ).run()
    }

    /// Re-reads `signing_keys`: adds keys this instance has not seen and picks the newest live key to sign.
    func refresh() async throws {
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT kid, private_key, retired_at FROM signing_keys ORDER BY created_at, kid").all().map { row in
                (
                    kid: try row.decode(column: "kid", as: String.self),
                    pem: try row.decode(column: "private_key", as: String.self),
                    retiredAt: (try row.decode(column: "retired_at", as: String?.self)).flatMap(Timestamp.init(text:))
                )
            }
        }
        let known = await state.known
        for row in rows where !known.contains(row.kid) {
            let key = try ES256PrivateKey(pem: try keys.decrypt(row.pem, field: Self.field))
            await jwtKeys.add(ecdsa: key, kid: JWKIdentifier(string: row.kid))
        }
        guard let current = rows.last(where: { $0.retiredAt == nil }) ?? rows.last else { return }
        var retired: [String: Timestamp] = [:]
        for row in rows { if let at = row.retiredAt { retired[row.kid] = at } }
        await state.update(known: Set(rows.map(\.kid)), retiredAt: retired, current: current.kid, at: clock())
    }

    /// A signed token for a client and the scopes granted.
    public func issue(for client: APIClients.Client, scopes: [String]) async throws -> String {
        let now = clock()
        if now >= (await state.lastRefresh).adding(seconds: Self.refreshSeconds) { try await refresh() }
        let payload = AccessToken(
            iss: .init(value: Self.issuer),
            sub: .init(value: client.id),
            iat: .init(value: now.date),
            exp: .init(value: now.adding(seconds: Self.lifetimeSeconds).date),
            scope: scopes.joined(separator: " "),
            lender: client.lenderID
        )
        return try await jwtKeys.sign(payload, kid: JWKIdentifier(string: await state.current))
    }

    /// The caller behind a valid token, or nil for an invalid, tampered or expired one.
    ///
    /// A client sends the same token with every request for up to 15 minutes, and checking its ES256 signature and
    /// decoding it costs more than the rest of a payment's handling, so a token that verified is remembered by its
    /// exact text. What can change meanwhile is checked on every use: its expiry, and the retirement of its key.
    public func verify(_ token: String) async -> AuthenticatedClient? {
        if let known = verified.withLockedValue({ $0[token] }) {
            guard known.client.expiresAt > clock() else {
                _ = verified.withLockedValue { $0.removeValue(forKey: token) }
                return nil
            }
            guard await mayVouch(keyID: known.keyID, issuedAt: known.issuedAt) else { return nil }
            return known.client
        }
        var payload = try? await jwtKeys.verify(token, as: AccessToken.self)
        if payload == nil, let kid = Self.keyID(of: token), !(await state.known.contains(kid)), await state.mayRefreshForMiss(at: clock()) {
            try? await refresh()
            payload = try? await jwtKeys.verify(token, as: AccessToken.self)
        }
        guard let payload else { return nil }
        // jwt-kit checks expiry against the system clock; check it against the injected clock as well.
        guard payload.exp.value > clock().date else { return nil }
        // Cartera issues nothing longer-lived, so a longer token was minted with a stolen key.
        guard payload.exp.value.timeIntervalSince(payload.iat.value) <= TimeInterval(Self.lifetimeSeconds) else { return nil }
        let kid = Self.keyID(of: token)
        guard await mayVouch(keyID: kid, issuedAt: payload.iat.value) else { return nil }
        let client = AuthenticatedClient(
            clientID: payload.sub.value,
            lenderID: payload.lender,
            scopes: payload.scope.split(separator: " ").map(String.init),
            expiresAt: Timestamp(payload.exp.value)
        )
        verified.withLockedValue { verified in
            if verified.count >= Self.verifiedLimit { verified.removeAll(keepingCapacity: true) }
            verified[token] = Verified(client: client, keyID: kid, issuedAt: payload.iat.value)
        }
        return client
    }

    /// Whether `token` is remembered as verified.
    func remembers(_ token: String) -> Bool {
        verified.withLockedValue { $0[token] != nil }
    }

    /// Whether the key `keyID` still vouches for a token issued at `issuedAt`: a retired key vouches only for tokens
    /// it signed before it was retired (plus the minute other instances may take to notice), so a leaked old key
    /// cannot mint new tokens after a rotation.
    func mayVouch(keyID: String?, issuedAt: Date) async -> Bool {
        guard let keyID, let retired = await state.retiredAt[keyID] else { return true }
        return issuedAt < retired.adding(seconds: Self.refreshSeconds).date
    }

    /// The `kid` in a JWT's header, without verifying anything.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let bytes = ByteEncoding.decodeBase64URL(String(header)),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }
}

/// An API client authenticated by its bearer token, carried in the request context.
public struct AuthenticatedClient: Sendable, Equatable {
    public let clientID: String
    public let lenderID: String
    public let scopes: [String]
    public let expiresAt: Timestamp
}
