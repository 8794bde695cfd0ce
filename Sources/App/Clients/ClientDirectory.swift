import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import SQLKit
import Store

/// The lender's clients: validated, stored encrypted, found by exact identifiers through blind indexes, every creation
/// audited.
public struct ClientDirectory: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp
    /// Screens every new client (and a company's representatives and beneficial owners) against the imported lists.
    public let screening: ClientScreening

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
        screening = ClientScreening(database: database, keys: keys, clock: clock)
    }

    static let field = "clients.profile"

    /// A stored client.
    public struct Record: Sendable, Encodable {
        public let id: String
        public let createdAt: Timestamp
        public let displayName: String
        public let profile: ClientProfile
    }

    /// A client with the same RFC or CURP exists already.
    public struct Duplicate: CarteraError {
        public let existingID: String
        public let identifier: String
        public var code: String { "client_duplicate" }
        public var message: String { "Ya existe el cliente \(existingID) con el mismo \(identifier). Consulte ese expediente en lugar de crear otro." }
    }

    /// What can be looked up exactly.
    public enum Lookup: String, Sendable, CaseIterable {
        case rfc, curp, phone, email

        /// The value as it is indexed, or nil when it cannot be one of these.
        public func normalize(_ text: String) -> String? {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            switch self {
            case .rfc, .curp:
                let value = trimmed.uppercased().filter { $0 != " " && $0 != "-" }
                return value.isEmpty ? nil : value
            case .phone: return ClientValidation.normalizePhone(trimmed)
            case .email: return ClientValidation.normalizeEmail(trimmed)
            }
        }
    }

    /// Today's date in Mexico (UTC−6; central Mexico has had no daylight saving time since 2022).
    func today() -> CalendarDate {
        clock().calendarDate(utcOffsetSeconds: -6 * 3600)
    }

    /// Validates and stores a new client inside the caller's transaction and screens it against the imported lists
    /// (possible matches are recorded for review). Refuses a second client with the same RFC (other than the generic
    /// ones) or CURP.
    public func create(_ input: ClientProfile, lenderID: String, actor: Administration.Actor, on db: any SQLDatabase) async throws -> Record {
        let profile = try ClientValidation.validated(input, today: today())
        let cipher = keys.cipher
        var lookups: [(Lookup, String)] = []
        if let rfc = profile.rfc, rfc != RFC.genericDomestic, rfc != RFC.genericForeign { lookups.append((.rfc, rfc)) }
        if let curp = profile.individual?.curp { lookups.append((.curp, curp)) }
        lookups += profile.phones.map { (.phone, $0) }
        if let email = profile.email { lookups.append((.email, email)) }
        let indexed = Array(Set(lookups.map { IndexedValue(kind: $0.0, index: cipher.blindIndex($0.1, field: "clients.\($0.0.rawValue)")) }))

        for unique in indexed where unique.kind == .rfc || unique.kind == .curp {
            if let existing = try await db.raw(
                "SELECT client_id FROM client_lookups WHERE kind = \(bind: unique.kind.rawValue) AND value_index = \(bind: unique.index)"
            ).first(decodingColumn: "client_id", as: String.self) {
                throw Duplicate(existingID: existing, identifier: unique.kind == .rfc ? "RFC" : "CURP")
            }
        }
        let id = "cl_" + APIClients.randomHex(bytes: 10)
        let now = clock()
        let document = try Self.encoder.encode(profile)
        let text = String(decoding: document, as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO clients (id, lender_id, kind, profile, kyc_shape, created_at, created_by, updated_at)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: profile.kind.rawValue), \(bind: cipher.encrypt(text, field: Self.field)),
                    \(bind: KYCFiles.shapeJSON(KYCFileShape(profile: profile))), \(bind: now.text), \(bind: actor.id), \(bind: now.text))
            """
        ).run()
        for value in indexed {
            try await db.raw(
                "INSERT INTO client_lookups (client_id, kind, value_index) VALUES (\(bind: id), \(bind: value.kind.rawValue), \(bind: value.index))"
            ).run()
        }
        try await AuditLog.append(Administration.entry(actor: actor, action: "client.create", objectType: "client", objectID: id, at: now, change: text), on: db)
        try await screening.screen(clientID: id, profile: profile, lenderID: lenderID, occasion: .onboarding, actor: actor, on: db)
        try await RiskGrades(database: database, keys: keys, clock: clock).assess(clientID: id, occasion: .onboarding, actor: actor, on: db)
        return Record(id: id, createdAt: now, displayName: profile.displayName, profile: profile)
    }

    struct IndexedValue: Hashable {
        let kind: Lookup
        let index: String
    }

    /// The client with this id, or nil.
    public func get(id: String) async throws -> Record? {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT id, profile, created_at FROM clients WHERE id = \(bind: id)").first()
        }
        return try row.map(decode)
    }

    /// Clients whose identifier of `kind` is exactly `value`.
    public func find(_ kind: Lookup, _ value: String) async throws -> [Record] {
        guard let normalized = kind.normalize(value) else { return [] }
        let index = keys.cipher.blindIndex(normalized, field: "clients.\(kind.rawValue)")
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT c.id, c.profile, c.created_at FROM clients c JOIN client_lookups l ON l.client_id = c.id
                WHERE l.kind = \(bind: kind.rawValue) AND l.value_index = \(bind: index) ORDER BY c.created_at, c.id
                """
            ).all()
        }
        return try rows.map(decode)
    }

    /// The newest clients first, for listings.
    public func list(limit: Int, offset: Int = 0) async throws -> [Record] {
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT id, profile, created_at FROM clients ORDER BY created_at DESC, id LIMIT \(literal: limit) OFFSET \(literal: offset)").all()
        }
        return try rows.map(decode)
    }

    func decode(_ row: any SQLRow) throws -> Record {
        let text = try keys.decrypt(try row.decode(column: "profile", as: String.self), field: Self.field)
        let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(text.utf8))
        return Record(
            id: try row.decode(column: "id", as: String.self),
            createdAt: Timestamp(text: try row.decode(column: "created_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0),
            displayName: profile.displayName,
            profile: profile
        )
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
