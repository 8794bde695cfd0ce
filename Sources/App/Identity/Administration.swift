import CarteraCore
import Foundation
import HummingbirdBcrypt
import SQLKit
import CarteraSecurity
import Store

/// Creating the lender and its users, with validation, password policy and an audit entry in the same transaction.
///
/// The command line (`cartera lender create`, `cartera users create`) and, later, the back-office pages call these.
public struct Administration: Sendable {
    let database: Database
    /// Encrypts the personal data users carry (their names).
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp
    let bcryptCost: UInt8

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }, bcryptCost: UInt8 = 12) {
        precondition(bcryptCost >= 4)
        self.database = database
        self.keys = keys
        self.clock = clock
        self.bcryptCost = bcryptCost
    }

    /// Who performs an administrative action, for the audit log.
    public struct Actor: Sendable {
        public let kind: AuditEntry.ActorKind
        public let id: String
        public let ipAddress: String
        public let requestID: String

        public init(kind: AuditEntry.ActorKind, id: String, ipAddress: String = "", requestID: String = "") {
            self.kind = kind
            self.id = id
            self.ipAddress = ipAddress
            self.requestID = requestID
        }

        /// The command line, run by whoever has shell access to the server.
        public static let commandLine = Actor(kind: .system, id: "cli")
    }

    /// A refused administrative request, in Spanish.
    public struct Refusal: CarteraError, Equatable {
        public let code: String
        public let message: String
    }

    /// A user as created.
    public struct CreatedUser: Sendable, Encodable {
        public let id: String
        public let username: String
        public let role: String
        public let lender_id: String
        public let mfa_required: Bool
    }

    // MARK: Lender

    /// Registers the lender (a persona moral, by its RFC). Returns its id.
    @discardableResult
    public func createLender(legalName: String, shortName: String, rfc: String, actor: Actor) async throws -> String {
        let legalName = legalName.trimmingCharacters(in: .whitespacesAndNewlines)
        let shortName = shortName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !legalName.isEmpty, !shortName.isEmpty else {
            throw Refusal(code: "lender_name_required", message: "Indique la razón social y el nombre corto del otorgante.")
        }
        try CardNumberDetector.check(legalName + "\n" + shortName)
        let check = RFC.validate(rfc)
        guard check.isValid, check.details["person_type"] == RFC.PersonType.moral.rawValue else {
            let reason = check.reasons.first?.message ?? "El RFC de un otorgante debe ser de persona moral (12 caracteres)."
            throw Refusal(code: "lender_rfc_invalid", message: reason)
        }
        let id = UUID().uuidString.lowercased()
        let now = clock()
        try await database.transaction { db in
            if try await db.raw("SELECT id FROM lenders WHERE rfc = \(bind: check.normalized)").first() != nil {
                throw Refusal(code: "lender_exists", message: "Ya existe un otorgante con el RFC \(check.normalized).")
            }
            try await db.raw(
                """
                INSERT INTO lenders (id, legal_name, short_name, rfc, created_at)
                VALUES (\(bind: id), \(bind: legalName), \(bind: shortName), \(bind: check.normalized), \(bind: now.text))
                """
            ).run()
            try await AuditLog.append(
                Self.entry(actor: actor, action: "lender.create", objectType: "lender", objectID: id, at: now,
                           change: "\(legalName)|\(shortName)|\(check.normalized)"),
                on: db
            )
        }
        return id
    }

    // MARK: Users

    /// Creates a user after checking the user name, the role and the password policy. The password is stored only as
    /// a bcrypt hash.
    public func createUser(
        username rawUsername: String,
        displayName: String?,
        role: Role,
        password: String,
        lenderID: String?,
        passwordChangeRequired: Bool = false,
        clientID: String? = nil,
        actor: Actor
    ) async throws -> CreatedUser {
        let clientID = clientID?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if role == .acreditado, clientID == nil {
            throw Refusal(code: "client_required", message: "Un acreditado entra al portal para ver sus créditos: indique el identificador de su cliente (cl_…).")
        }
        if role != .acreditado, clientID != nil {
            throw Refusal(code: "client_not_allowed", message: "Solo los usuarios con rol acreditado se vinculan a un cliente.")
        }
        let username = rawUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard (3...64).contains(username.count),
            username.unicodeScalars.allSatisfy({ CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-").contains($0) })
        else {
            throw Refusal(
                code: "username_invalid",
                message: "El nombre de usuario debe tener de 3 a 64 caracteres: letras minúsculas sin acentos, dígitos, punto, guion o guion bajo."
            )
        }
        try PasswordPolicy.check(password, username: username)
        try CardNumberDetector.check(displayName ?? "")
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        let id = UUID().uuidString.lowercased()
        let now = clock()
        let name = displayName?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty ?? username
        guard name.count <= 120 else { throw Refusal(code: "display_name_too_long", message: "El nombre puede tener hasta 120 caracteres.") }
        // A person's name is personal data: stored encrypted, like every client field.
        let encryptedName = keys.cipher.encrypt(name, field: "users.display_name")
        let lender = try await database.transaction { db -> String in
            let lender = try await Self.resolveLender(lenderID, on: db)
            if try await db.raw("SELECT id FROM users WHERE username = \(bind: username)").first() != nil {
                throw Refusal(code: "username_taken", message: "Ya existe un usuario «\(username)». Elija otro nombre de usuario.")
            }
            if let clientID, try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lender)").first() == nil {
                throw Refusal(code: "client_not_found", message: "No existe el cliente \(clientID). Copie su identificador de la ficha del cliente.")
            }
            try await db.raw(
                """
                INSERT INTO users (id, lender_id, username, display_name, role, password_hash, active, created_at, password_change_required, client_id)
                VALUES (\(bind: id), \(bind: lender), \(bind: username), \(bind: encryptedName), \(bind: role.rawValue), \(bind: hash),
                        \(unsafeRaw: "TRUE"), \(bind: now.text), \(unsafeRaw: passwordChangeRequired ? "TRUE" : "FALSE"), \(bind: clientID))
                """
            ).run()
            try await AuditLog.append(
                Self.entry(actor: actor, action: "user.create", objectType: "user", objectID: id, at: now,
                           change: "\(username)|\(role.rawValue)|\(lender)"),
                on: db
            )
            return lender
        }
        return CreatedUser(id: id, username: username, role: role.rawValue, lender_id: lender, mfa_required: role.requiresMFA)
    }

    /// The lender a new user belongs to: the one named, or the only one there is.
    public static func resolveLender(_ requested: String?, on db: any SQLDatabase) async throws -> String {
        let ids = try await db.raw("SELECT id FROM lenders ORDER BY id").all(decodingColumn: "id", as: String.self)
        if let requested {
            guard ids.contains(requested) else {
                throw Refusal(code: "lender_not_found", message: "No existe el otorgante «\(requested)».")
            }
            return requested
        }
        switch ids.count {
        case 0:
            throw Refusal(
                code: "lender_missing",
                message: "Aún no hay otorgante. Créelo primero con: cartera lender create --legal-name … --short-name … --rfc …"
            )
        case 1:
            return ids[0]
        default:
            throw Refusal(code: "lender_ambiguous", message: "Hay varios otorgantes; indique cuál con --lender.")
        }
    }

    static func entry(
        actor: Actor, action: String, objectType: String, objectID: String, at now: Timestamp, change: String,
        outcome: AuditEntry.Outcome = .success
    ) -> AuditEntry {
        .draft(
            at: now, actorKind: actor.kind, actorID: actor.id, ipAddress: actor.ipAddress, action: action, objectType: objectType,
            objectID: objectID, outcome: outcome, changeDigest: change.isEmpty ? "" : AuditChain.digest(Array(change.utf8)),
            requestID: actor.requestID
        )
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
