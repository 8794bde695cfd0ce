import CarteraCore
import Foundation
import SQLKit
import CarteraSecurity
import Store

/// API clients: integrations that call `/api/v1` with OAuth2 client credentials.
///
/// The secret is 32 random bytes shown once at creation; only its SHA-256 is stored (it is long and random, so a fast
/// hash is enough — passwords, which people choose, use bcrypt instead).
public struct APIClients: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    /// A client as created: the only time its secret is known.
    public struct Created: Sendable, Encodable {
        public let client_id: String
        public let client_secret: String
        public let name: String
        public let scopes: [String]
    }

    /// An authenticated client.
    public struct Client: Sendable, Equatable {
        public let id: String
        public let lenderID: String
        public let scopes: [String]

        public init(id: String, lenderID: String, scopes: [String]) {
            self.id = id
            self.lenderID = lenderID
            self.scopes = scopes
        }
    }

    /// Creates a client with the given scopes and records it in the audit log.
    public func create(name rawName: String, scopes: [String], lenderID: String?, actor: Administration.Actor) async throws -> Created {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Administration.Refusal(code: "api_client_name_required", message: "Indique un nombre para el cliente de API.") }
        try CardNumberDetector.check(name)
        guard let scopes = Scope.parseList(scopes.joined(separator: ",")) else {
            throw Administration.Refusal(
                code: "api_client_scope_unknown",
                message: "Alcance desconocido. Los alcances válidos son: \(Scope.known.joined(separator: ", "))."
            )
        }
        let id = "cc_" + Self.randomHex(bytes: 12)
        let secret = Self.randomSecret()
        let now = clock()
        try await database.transaction { db in
            let lender = try await Administration.resolveLender(lenderID, on: db)
            try await db.raw(
                """
                INSERT INTO api_clients (id, lender_id, name, secret_hash, scopes, active, created_at)
                VALUES (\(bind: id), \(bind: lender), \(bind: name), \(bind: Self.hash(secret)), \(bind: scopes.joined(separator: " ")),
                        \(unsafeRaw: "TRUE"), \(bind: now.text))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "api_client.create", objectType: "api_client", objectID: id, at: now,
                                     change: "\(name)|\(scopes.joined(separator: " "))"),
                on: db
            )
        }
        return Created(client_id: id, client_secret: secret, name: name, scopes: scopes)
    }

    /// The active client with this id and secret, or nil. Takes the same time whether or not the id exists.
    public func authenticate(id: String, secret: String) async throws -> Client? {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT lender_id, secret_hash, scopes, active FROM api_clients WHERE id = \(bind: id)").first()
        }
        let presented = Self.hash(secret)
        guard let row else { return nil }
        let stored = try row.decode(column: "secret_hash", as: String.self)
        let active = try row.decode(column: "active", as: Bool.self)
        guard ConstantTime.equals(presented, stored), active else { return nil }
        let scopes = try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init)
        return Client(id: id, lenderID: try row.decode(column: "lender_id", as: String.self), scopes: scopes)
    }

    static func hash(_ secret: String) -> String { AuditChain.digest(Array(secret.utf8)) }

    static func randomHex(bytes: Int) -> String { ByteEncoding.hex(ByteEncoding.randomBytes(bytes)) }

    /// An id that sorts by creation time: `prefix`, the millisecond in 12 hex digits, then 10 random bytes in hex.
    /// Rows with such keys are added at the end of their primary-key index, where the rows written with them share
    /// pages, instead of on a random page each.
    static func timeOrderedID(_ prefix: String, at now: Timestamp) -> String {
        let milliseconds = String(UInt64(max(0, now.millisecondsSince1970)), radix: 16)
        return prefix + String(repeating: "0", count: max(0, 12 - milliseconds.count)) + milliseconds + randomHex(bytes: 10)
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomSecret() -> String { ByteEncoding.base64URL(ByteEncoding.randomBytes(32)) }
}

extension APIClients {
    /// A client as the administration page lists it (never its secret).
    public struct Summary: Sendable {
        public let id: String
        public let name: String
        public let scopes: [String]
        public let active: Bool
        public let createdAt: Timestamp
    }

    /// Every client, newest first.
    public func list() async throws -> [Summary] {
        try await database.withConnection { db in
            try await db.raw("SELECT id, name, scopes, active, created_at FROM api_clients ORDER BY created_at DESC, id").all().map { row in
                Summary(
                    id: try row.decode(column: "id", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    scopes: try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init),
                    active: try row.decode(column: "active", as: Bool.self),
                    createdAt: Timestamp(text: try row.decode(column: "created_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0)
                )
            }
        }
    }

    /// Deactivates a client: it can no longer obtain tokens, and tokens already issued stop working within
    /// `ClientStatusCache.maximumAgeSeconds` on every instance.
    public func deactivate(id: String, actor: Administration.Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            guard let name = try await db.raw("SELECT name FROM api_clients WHERE id = \(bind: id)").first(decodingColumn: "name", as: String.self) else {
                throw Administration.Refusal(code: "api_client_not_found", message: "El cliente de API no existe. Vuelva a la lista de clientes.")
            }
            try await db.raw("UPDATE api_clients SET active = FALSE WHERE id = \(bind: id)").run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "api_client.deactivate", objectType: "api_client", objectID: id, at: now, change: name),
                on: db
            )
        }
    }
}
