import CarteraCore
import CarteraSecurity
import Foundation
import SQLKit
import Store

/// Which gestor works each account. A supervisor (permission `collections:assign`) assigns accounts one by one or
/// shares the unassigned ones among chosen gestores; a gestor sees and works the accounts assigned to them and those
/// assigned to nobody (so a lender that never assigns works as one pool), never another gestor's. Every change is
/// audited.
public struct CollectionAssignments: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A gestor who can be given accounts.
    public struct Gestor: Sendable, Equatable {
        public let id: String
        public let name: String
    }

    /// The lender's active gestores de cobranza, by name.
    public func gestores(lenderID: String) async throws -> [Gestor] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, display_name FROM users WHERE lender_id = \(bind: lenderID) AND role = \(bind: Role.gestorCobranza.rawValue) AND active = \(bind: true)
                """
            ).all().map { row in
                Gestor(id: try row.decode(column: "id", as: String.self), name: try keys.readable(try row.decode(column: "display_name", as: String.self), field: "users.display_name"))
            }.sorted { $0.name < $1.name }
        }
    }

    /// The gestor of each assigned account, by loan.
    public func assignments(lenderID: String) async throws -> [String: String] {
        try await database.withConnection { db in
            try await Self.assignments(lenderID: lenderID, on: db)
        }
    }

    static func assignments(lenderID: String, on db: any SQLDatabase) async throws -> [String: String] {
        var assigned: [String: String] = [:]
        for row in try await db.raw("SELECT loan_id, user_id FROM collection_assignments WHERE lender_id = \(bind: lenderID)").all() {
            assigned[try row.decode(column: "loan_id", as: String.self)] = try row.decode(column: "user_id", as: String.self)
        }
        return assigned
    }

    /// Gives the accounts to `userID` (an active gestor of the lender), or takes them from whoever had them (nil).
    public func assign(_ loanIDs: [String], to userID: String?, lenderID: String, actor: Administration.Actor) async throws {
        try await share(loanIDs.map { ($0, userID) }, lenderID: lenderID, actor: actor)
    }

    /// Shares `loanIDs` (in order of priority) among `userIDs` in turn, so each gestor gets a like mix of urgent and
    /// less urgent accounts; returns how many each got.
    @discardableResult
    public func distribute(_ loanIDs: [String], among userIDs: [String], lenderID: String, actor: Administration.Actor) async throws -> [String: Int] {
        guard !userIDs.isEmpty else { throw CollectionRefusal("gestor_required", "Elija al menos un gestor para repartir las cuentas.") }
        let pairs = loanIDs.enumerated().map { ($0.element, Optional(userIDs[$0.offset % userIDs.count])) }
        try await share(pairs, lenderID: lenderID, actor: actor)
        return pairs.reduce(into: [:]) { $0[$1.1 ?? "", default: 0] += 1 }
    }

    /// Writes the assignments in one transaction, after checking every loan and gestor belongs to the lender.
    func share(_ pairs: [(loan: String, user: String?)], lenderID: String, actor: Administration.Actor) async throws {
        guard !pairs.isEmpty else { return }
        let now = clock()
        try await database.transaction { db in
            let gestores = Set(try await db.raw(
                "SELECT id FROM users WHERE lender_id = \(bind: lenderID) AND role = \(bind: Role.gestorCobranza.rawValue) AND active = \(bind: true)"
            ).all(decodingColumn: "id", as: String.self))
            for user in Set(pairs.compactMap(\.user)) where !gestores.contains(user) {
                throw CollectionRefusal("gestor_invalid", "El usuario \(user) no es un gestor de cobranza activo de este otorgante.")
            }
            for start in stride(from: 0, to: pairs.count, by: 500) {
                let part = pairs[start..<min(start + 500, pairs.count)]
                let ids = SQLList(part.map { SQLBind($0.loan) })
                let known = Set(try await db.raw("SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND id IN (\(ids))").all(decodingColumn: "id", as: String.self))
                if let missing = part.first(where: { !known.contains($0.loan) }) { throw CollectionRefusal("loan_not_found", "No existe el crédito \(missing.loan).") }
                try await db.raw("DELETE FROM collection_assignments WHERE lender_id = \(bind: lenderID) AND loan_id IN (\(ids))").run()
                let rows = part.compactMap { pair -> SQLQueryString? in
                    pair.user.map { "(\(bind: lenderID), \(bind: pair.loan), \(bind: $0), \(bind: now.text), \(bind: actor.id))" }
                }
                if !rows.isEmpty {
                    try await db.raw(
                        "INSERT INTO collection_assignments (lender_id, loan_id, user_id, assigned_at, assigned_by) VALUES \(rows.joined(separator: ", "))"
                    ).run()
                }
            }
            let byUser = Dictionary(grouping: pairs, by: { $0.user ?? "" })
            for (user, loans) in byUser.sorted(by: { $0.key < $1.key }) {
                let change = String(decoding: try JSONEncoder().encode(["loans": loans.map(\.loan)]), as: UTF8.self)
                try await AuditLog.append(
                    Administration.entry(
                        actor: actor, action: user.isEmpty ? "collections.unassigned" : "collections.assigned", objectType: "user", objectID: user.isEmpty ? "-" : user,
                        at: now, change: change
                    ),
                    on: db
                )
            }
        }
    }

    /// The gestor (user id) an account is assigned to, nil when it is in the shared pool.
    public func assignee(of loanID: String, lenderID: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT user_id FROM collection_assignments WHERE lender_id = \(bind: lenderID) AND loan_id = \(bind: loanID)")
                .first(decodingColumn: "user_id", as: String.self)
        }
    }

    /// Refuses work on an account assigned to another gestor, unless `user` may assign accounts (a supervisor).
    public func checkMayWork(loanID: String, user: WebSessions.User) async throws {
        guard !user.role.allows(.assignCollections) else { return }
        let assigned = try await assignee(of: loanID, lenderID: user.lenderID)
        if let assigned, assigned != user.id {
            throw CollectionRefusal("account_assigned_elsewhere", "Esta cuenta está asignada a otro gestor. Pida a su supervisor que se la reasigne si debe trabajarla.")
        }
    }
}
