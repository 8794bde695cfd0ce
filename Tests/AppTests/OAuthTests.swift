@testable import App
import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import SQLKit
import Store
import Testing

/// A clock tests can move.
final class TestClock: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var now: Timestamp
    init(_ start: Timestamp = .now) { now = start }
    func read() -> Timestamp { lock.withLock { now } }
    func advance(seconds: Int64) { lock.withLock { now = now.adding(seconds: seconds) } }
}

@Suite("OAuth2 client credentials and /api/v1")
struct OAuthTests {
    struct Token: Decodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
        let scope: String
    }

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func form(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test("token issuance, scopes, 401 and 403, expiry, and audit of every attempt")
    func flow() async throws {
        try await withTestDatabase { database in
            try await Administration(database: database, keys: TestKeys.live, bcryptCost: 4).createLender(
                legalName: "Financiera, S.A. de C.V., SOFOM, E.N.R.", shortName: "F", rfc: "SAT970701NN3", actor: .commandLine
            )
            let clients = APIClients(database: database)
            let reader = try await clients.create(name: "ERP", scopes: ["clients:read"], lenderID: nil, actor: .commandLine)
            let auditor = try await clients.create(name: "Auditoría", scopes: ["audit:read", "clients:read"], lenderID: nil, actor: .commandLine)
            #expect(reader.client_secret.count == 43)
            await #expect(throws: Administration.Refusal.self) {
                _ = try await clients.create(name: "X", scopes: ["everything:write"], lenderID: nil, actor: .commandLine)
            }

            let clock = TestClock()
            let keys = KeyRing.generate()
            try await makeApp(database, keys: keys, clock: { clock.read() }).test(.router) { client in
                // Wrong secret, unknown client, missing grant type.
                var headers = Self.formHeaders
                headers[.authorization] = Self.basic(reader.client_id, "wrong")
                try await client.execute(uri: "/oauth/token", method: .post, headers: headers, body: Self.form("grant_type=client_credentials")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == #"Basic realm="cartera""#)
                    #expect(String(buffer: response.body).contains(#""code":"invalid_client""#))
                }
                headers[.authorization] = Self.basic(reader.client_id, reader.client_secret)
                try await client.execute(uri: "/oauth/token", method: .post, headers: headers, body: Self.form("grant_type=password")) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("unsupported_grant_type"))
                }
                try await client.execute(uri: "/oauth/token", method: .post, headers: headers, body: Self.form("grant_type=client_credentials&scope=audit%3Aread")) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("invalid_scope"))
                }

                // Basic credentials.
                let token = try await client.execute(uri: "/oauth/token", method: .post, headers: headers, body: Self.form("grant_type=client_credentials")) { response in
                    #expect(response.status == .ok)
                    let token = try JSONDecoder().decode(Token.self, from: Data(String(buffer: response.body).utf8))
                    #expect(token.token_type == "Bearer" && token.expires_in == 900 && token.scope == "clients:read")
                    return token.access_token
                }
                // Form credentials.
                let auditorToken = try await client.execute(
                    uri: "/oauth/token", method: .post, headers: Self.formHeaders,
                    body: Self.form("grant_type=client_credentials&client_id=\(auditor.client_id)&client_secret=\(auditor.client_secret)")
                ) { response in
                    #expect(response.status == .ok)
                    return try JSONDecoder().decode(Token.self, from: Data(String(buffer: response.body).utf8)).access_token
                }

                // /api/v1: 401 without or with a bad token, 200 with one, 403 without the scope.
                try await client.execute(uri: "/api/v1/token-info", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="cartera""#)
                }
                try await client.execute(uri: "/api/v1/token-info", method: .get, headers: [.authorization: "Bearer " + token + "x"]) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/token-info", method: .get, headers: [.authorization: "Bearer " + token]) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""client_id":"\#(reader.client_id)""#))
                }
                try await client.execute(uri: "/api/v1/audit/head", method: .get, headers: [.authorization: "Bearer " + token]) { response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains("insufficient_scope"))
                }
                try await client.execute(uri: "/api/v1/audit/head", method: .get, headers: [.authorization: "Bearer " + auditorToken]) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""hash":""#))
                }
                try await client.execute(uri: "/api/v1/nothing", method: .get) { response in
                    #expect(response.status == .unauthorized)  // deny by default: unknown /api/v1 paths need a token first
                }
                try await client.execute(uri: "/api/v1/nothing/else", method: .delete, headers: [.authorization: "Bearer " + token]) { response in
                    #expect(response.status == .notFound)
                }

                // After its lifetime the token is refused.
                clock.advance(seconds: TokenService.lifetimeSeconds + 1)
                try await client.execute(uri: "/api/v1/token-info", method: .get, headers: [.authorization: "Bearer " + token]) { response in
                    #expect(response.status == .unauthorized)
                }

            // Every attempt is in the audit chain, which is intact.
            let actions = try await database.withConnection { db in
                try await db.raw("SELECT action || '/' || outcome AS a FROM audit_log ORDER BY sequence").all(decodingColumn: "a", as: String.self)
            }
            #expect(actions.filter { $0 == "oauth.token/failure" }.count == 1)
            #expect(actions.filter { $0 == "oauth.token/denied" }.count == 1)
            #expect(actions.filter { $0 == "oauth.token/success" }.count == 2)
            #expect(actions.contains("authz.scope:audit:read/denied"))
            #expect(actions.filter { $0 == "authz.unauthenticated/denied" }.count >= 4)
            #expect(try await AuditLog.verify(database: database).firstBreak == nil)
            }
        }
    }

    @Test("rotating the signing key keeps old tokens valid, and other instances learn the new key by themselves")
    func rotation() async throws {
        try await withTestDatabase { database in
            let keys = KeyRing.generate()
            let cipher = FieldCipher(keys: keys)
            let clock = TestClock()
            let first = try await TokenService.load(database: database, keys: LiveKeys(keys), clock: { clock.read() })
            let other = try await TokenService.load(database: database, keys: LiveKeys(keys), clock: { clock.read() })
            let client = APIClients.Client(id: "cc_1", lenderID: "l", scopes: ["clients:read"])
            let old = try await first.issue(for: client, scopes: client.scopes)
            let kid = try await TokenService.rotate(database: database, cipher: cipher, actor: .commandLine, clock: { clock.read() })
            let second = try await TokenService.load(database: database, keys: LiveKeys(keys), clock: { clock.read() })
            let new = try await second.issue(for: client, scopes: client.scopes)
            #expect(TokenService.keyID(of: new) == kid)
            #expect(await second.verify(old)?.clientID == "cc_1")
            #expect(await second.verify(new)?.clientID == "cc_1")
            // An instance started before the rotation verifies the new key's tokens (it re-reads the keys)...
            #expect(await first.verify(new)?.clientID == "cc_1")
            // ...and signs with the new key within a minute.
            #expect(TokenService.keyID(of: try await other.issue(for: client, scopes: client.scopes)) != kid)
            clock.advance(seconds: 61)
            #expect(TokenService.keyID(of: try await other.issue(for: client, scopes: client.scopes)) == kid)
            // A token naming an unknown key is refused.
            let forged = ByteEncoding.base64URL(Array(#"{"alg":"ES256","kid":"sk-nope","typ":"JWT"}"#.utf8)) + "." + new.split(separator: ".").dropFirst().joined(separator: ".")
            #expect(await first.verify(forged) == nil)
            // The retired key no longer vouches for tokens issued after its retirement (a leaked key is useless)...
            let retiredKey = try await database.withConnection { db in
                try await db.raw("SELECT private_key FROM signing_keys WHERE kid <> \(bind: kid)").first(decodingColumn: "private_key", as: String.self)
            }!
            let leaked = try ES256PrivateKey(pem: try cipher.decrypt(retiredKey, field: "signing_keys.private_key"))
            let oldKID = try #require(TokenService.keyID(of: old))
            let attacker = JWTKeyCollection()
            await attacker.add(ecdsa: leaked, kid: JWKIdentifier(string: oldKID))
            func mint(issuedAt: Date, lifetime: TimeInterval) async throws -> String {
                try await attacker.sign(
                    AccessToken(iss: .init(value: "cartera"), sub: .init(value: "cc_1"), iat: .init(value: issuedAt),
                                exp: .init(value: issuedAt.addingTimeInterval(lifetime)), scope: "clients:read", lender: "l"),
                    kid: JWKIdentifier(string: oldKID)
                )
            }
            clock.advance(seconds: 10)
            #expect(await second.verify(try await mint(issuedAt: clock.read().date, lifetime: 600)) == nil)
            #expect(await second.verify(try await mint(issuedAt: clock.read().date.addingTimeInterval(-120), lifetime: 600)) != nil)  // issued before
            // ...and no token may live longer than 15 minutes, whoever signed it.
            let longLived = try await second.issue(for: client, scopes: client.scopes)
            #expect(await second.verify(longLived) != nil)
            let currentKey = try await database.withConnection { db in
                try await db.raw("SELECT private_key FROM signing_keys WHERE kid = \(bind: kid)").first(decodingColumn: "private_key", as: String.self)
            }!
            let forger = JWTKeyCollection()
            await forger.add(ecdsa: try ES256PrivateKey(pem: try cipher.decrypt(currentKey, field: "signing_keys.private_key")), kid: JWKIdentifier(string: kid))
            let year = try await forger.sign(
                AccessToken(iss: .init(value: "cartera"), sub: .init(value: "cc_1"), iat: .init(value: clock.read().date),
                            exp: .init(value: clock.read().date.addingTimeInterval(365 * 86_400)), scope: "clients:read", lender: "l"),
                kid: JWKIdentifier(string: kid)
            )
            #expect(await second.verify(year) == nil)
            // A token verified before is remembered, and still expires on time.
            #expect(await second.verify(longLived)?.clientID == "cc_1")
            #expect(second.remembers(longLived))
            clock.advance(seconds: TokenService.lifetimeSeconds + 1)
            #expect(await second.verify(longLived) == nil)
            #expect(try await AuditLog.verify(database: database).checked == 1)
            // The private keys are stored encrypted.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT private_key FROM signing_keys").all(decodingColumn: "private_key", as: String.self)
            }
            #expect(stored.count == 2 && stored.allSatisfy { $0.hasPrefix("v1.") && !$0.contains("PRIVATE KEY") })
        }
    }

    @Test("a signing key from the configuration signs, on every instance alike")
    func configuredKey() async throws {
        try await withTestDatabase { database in
            let keys = KeyRing.generate()
            let pem = ES256PrivateKey().pemRepresentation
            let a = try await TokenService.load(database: database, keys: LiveKeys(keys), configuredKeyPEM: pem)
            let b = try await TokenService.load(database: database, keys: LiveKeys(keys), configuredKeyPEM: pem)
            let client = APIClients.Client(id: "cc_1", lenderID: "l", scopes: ["clients:read"])
            let token = try await a.issue(for: client, scopes: client.scopes)
            #expect(TokenService.keyID(of: token)?.hasPrefix("cfg-") == true)
            #expect(TokenService.keyID(of: token) == TokenService.keyID(of: try await b.issue(for: client, scopes: client.scopes)))
            #expect(await b.verify(token)?.clientID == "cc_1")
            await #expect(throws: ConfigurationError.self) {
                _ = try await TokenService.load(database: database, keys: LiveKeys(keys), configuredKeyPEM: "not a key")
            }
        }
    }
}
