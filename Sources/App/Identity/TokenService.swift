import CarteraCore
import Foundation
import JWTKit
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

/// Issues and verifies short-lived access tokens: ES256 JWTs signed with a key generated at first start and stored
/// encrypted (`FieldCipher`) in `signing_keys`.
///
/// Every stored key verifies; the newest one not retired signs. Rotating (adding a new key) therefore keeps tokens
/// signed by the previous key valid until they expire.
public struct TokenService: Sendable {
    static let issuer = "cartera"
    /// Lifetime of an access token, in seconds.
    public static let lifetimeSeconds: Int64 = 900

    let keys: JWTKeyCollection
    let currentKID: String
    let clock: @Sendable () -> Timestamp

    /// Loads the signing keys, creating the first one if there is none.
    public static func load(database: Database, cipher: FieldCipher, clock: @escaping @Sendable () -> Timestamp = { .now }) async throws -> TokenService {
        let field = "signing_keys.private_key"
        let rows = try await database.transaction { db -> [(kid: String, pem: String, retired: Bool)] in
            var rows = try await db.raw("SELECT kid, private_key, retired_at FROM signing_keys ORDER BY created_at, kid").all().map { row in
                (
                    kid: try row.decode(column: "kid", as: String.self),
                    pem: try row.decode(column: "private_key", as: String.self),
                    retired: try row.decode(column: "retired_at", as: String?.self) != nil
                )
            }
            if rows.filter({ !$0.retired }).isEmpty {
                let kid = "sk-" + APIClients.randomHex(bytes: 6)
                let pem = ES256PrivateKey().pemRepresentation
                let encrypted = cipher.encrypt(pem, field: field)
                try await db.raw(
                    "INSERT INTO signing_keys (kid, algorithm, private_key, created_at) VALUES (\(bind: kid), 'ES256', \(bind: encrypted), \(bind: clock().text))"
                ).run()
                rows.append((kid, encrypted, false))
            }
            return rows
        }
        let collection = JWTKeyCollection()
        for row in rows {
            let key = try ES256PrivateKey(pem: try cipher.decrypt(row.pem, field: field))
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: row.kid))
        }
        return TokenService(keys: collection, currentKID: rows.last(where: { !$0.retired })!.kid, clock: clock)
    }

    /// A signed token for a client and the scopes granted.
    public func issue(for client: APIClients.Client, scopes: [String]) async throws -> String {
        let now = clock()
        let payload = AccessToken(
            iss: .init(value: Self.issuer),
            sub: .init(value: client.id),
            iat: .init(value: now.date),
            exp: .init(value: now.adding(seconds: Self.lifetimeSeconds).date),
            scope: scopes.joined(separator: " "),
            lender: client.lenderID
        )
        return try await keys.sign(payload, kid: JWKIdentifier(string: currentKID))
    }

    /// The caller behind a valid token, or nil for an invalid, tampered or expired one.
    public func verify(_ token: String) async -> AuthenticatedClient? {
        guard let payload = try? await keys.verify(token, as: AccessToken.self) else { return nil }
        // jwt-kit checks expiry against the system clock; check it against the injected clock as well.
        guard payload.exp.value > clock().date else { return nil }
        return AuthenticatedClient(
            clientID: payload.sub.value,
            lenderID: payload.lender,
            scopes: payload.scope.split(separator: " ").map(String.init),
            expiresAt: Timestamp(payload.exp.value)
        )
    }
}

/// An API client authenticated by its bearer token, carried in the request context.
public struct AuthenticatedClient: Sendable, Equatable {
    public let clientID: String
    public let lenderID: String
    public let scopes: [String]
    public let expiresAt: Timestamp
}
