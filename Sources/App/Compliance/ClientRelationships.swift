import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import SQLKit
import Store

/// Relationships between a lender's clients: from their data (phones, e-mail, address, CURP/RFC, representatives,
/// beneficial owners) and their operations (the CLABE a loan was disbursed to, the account a deposit came from), grouped
/// into connected components, values shared by too many clients left out. A client whose component holds another with
/// a confirmed list match, a suspension or a reportable PLD case is graded with that link.
public struct ClientRelationships: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// What a rebuild found.
    public struct Summary: Sendable, Codable, Equatable {
        public let clients: Int
        /// Components of two clients or more.
        public let groups: Int
        public let largestGroup: Int
        public let links: Int
        /// Values shared by more clients than the limit, by kind (left out).
        public let hubs: [String: Int]
        /// Clients linked to a high-risk one.
        public let linkedHighRisk: Int
        /// Clients queued to be graded again because that changed.
        public let regrade: Int
    }

    /// A client's group as stored.
    public struct Group: Sendable, Codable, Equatable {
        public struct Member: Sendable, Codable, Equatable {
            public let clientId: String
            public let displayName: String
            /// A confirmed list match, a suspension or a reportable case.
            public let highRisk: Bool
        }

        public struct Edge: Sendable, Codable, Equatable {
            public let from: String
            public let to: String
            public let kinds: [String]
        }

        public let componentId: String
        public let members: [Member]
        public let edges: [Edge]
        public let computedAt: Timestamp
    }

    /// Rebuilds every client's component from scratch, in one transaction, and queues for grading again the clients
    /// whose link to a high-risk client changed.
    public func rebuild(lenderID: String, hubLimit: Int = 10, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let now = clock()
        let (_, policy) = try await KYCFiles(database: database, keys: keys, clock: clock).policy(lenderID: lenderID)
        // Read and decrypt outside the writing transaction (on SQLite it holds the only writer); a client registered
        // meanwhile joins at the next build.
        let (clientCount, links) = try await database.withConnection { db in
            let rows = try await db.raw("SELECT id, profile FROM clients WHERE lender_id = \(bind: lenderID) ORDER BY id").all()
            var facts: [ClientLinks.Fact] = []
            for (index, row) in rows.enumerated() {
                let id = try row.decode(column: "id", as: String.self)
                let text = try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field)
                let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(text.utf8))
                facts += ClientLinks.facts(of: id, profile: profile, ownerBasisPoints: policy.beneficialOwnerBasisPoints)
                progress(index + 1, rows.count)
            }
            // Accounts from operations: where loans were disbursed by SPEI, and where deposits to loans came from.
            for row in try await db.raw(
                "SELECT l.client_id, o.beneficiary_clabe FROM spei_orders o JOIN loans l ON l.id = o.loan_id WHERE l.lender_id = \(bind: lenderID)"
            ).all() {
                let value = try keys.readable(try row.decode(column: "beneficiary_clabe", as: String.self), field: "spei_orders.beneficiary_clabe")
                facts.append(ClientLinks.Fact(client: try row.decode(column: "client_id", as: String.self), kind: .clabe, value: value))
            }
            for row in try await db.raw(
                """
                SELECT l.client_id, d.payer_account FROM spei_deposits d JOIN loans l ON l.id = d.loan_id
                WHERE l.lender_id = \(bind: lenderID) AND d.payer_account IS NOT NULL
                """
            ).all() {
                guard let stored = try row.decode(column: "payer_account", as: String?.self) else { continue }
                let value = try keys.readable(stored, field: "spei_deposits.payer_account")
                facts.append(ClientLinks.Fact(client: try row.decode(column: "client_id", as: String.self), kind: .clabe, value: value))
            }
            return (rows.count, ClientLinks(facts: facts, hubLimit: hubLimit))
        }
        return try await database.transaction { db in
            let highRisk = try await Self.highRiskClients(lenderID: lenderID, on: db)
            let before = Dictionary(
                try await db.raw("SELECT client_id, linked_high_risk FROM client_components WHERE lender_id = \(bind: lenderID)").all().map {
                    (try $0.decode(column: "client_id", as: String.self), try $0.decode(column: "linked_high_risk", as: Bool.self))
                },
                uniquingKeysWith: { first, _ in first }
            )
            try await db.raw("DELETE FROM client_links WHERE lender_id = \(bind: lenderID)").run()
            try await db.raw("DELETE FROM client_components WHERE lender_id = \(bind: lenderID)").run()
            var linkedCount = 0
            var regrade: [String] = []
            var linkCount = 0
            for component in links.components {
                let componentID = component.clients[0]
                for client in component.clients {
                    let linked = component.clients.contains { $0 != client && highRisk.contains($0) }
                    if linked { linkedCount += 1 }
                    if linked != (before[client] ?? false) { regrade.append(client) }
                    try await db.raw(
                        """
                        INSERT INTO client_components (client_id, lender_id, component_id, size, linked_high_risk, computed_at)
                        VALUES (\(bind: client), \(bind: lenderID), \(bind: componentID), \(bind: component.clients.count), \(bind: linked), \(bind: now.text))
                        """
                    ).run()
                }
                for link in Set(component.links.map { [$0.from, $0.to, $0.kind.rawValue] }).sorted(by: { $0.joined() < $1.joined() }) {
                    try await db.raw(
                        """
                        INSERT INTO client_links (lender_id, component_id, from_client, to_client, kind)
                        VALUES (\(bind: lenderID), \(bind: componentID), \(bind: link[0]), \(bind: link[1]), \(bind: link[2]))
                        """
                    ).run()
                    linkCount += 1
                }
            }
            for client in regrade {
                try await db.raw("DELETE FROM risk_reassessments WHERE client_id = \(bind: client)").run()
                try await db.raw(
                    "INSERT INTO risk_reassessments (client_id, reason, queued_at) VALUES (\(bind: client), 'vinculos', \(bind: now.text))"
                ).run()
            }
            var hubs: [String: Int] = [:]
            for key in links.hubs.keys { hubs[String(key.prefix { $0 != ":" }), default: 0] += 1 }
            let summary = Summary(
                clients: clientCount, groups: links.components.filter { $0.clients.count > 1 }.count,
                largestGroup: links.components.map(\.clients.count).max() ?? 0, links: linkCount, hubs: hubs, linkedHighRisk: linkedCount, regrade: regrade.count
            )
            try await AuditLog.append(
                Administration.entry(
                    actor: Administration.Actor(kind: .system, id: "relaciones"), action: "compliance.relationships_built", objectType: "lender", objectID: lenderID, at: now,
                    change: "\(summary.clients) clientes, \(summary.groups) grupos, \(summary.links) vínculos, \(summary.linkedHighRisk) vinculados a alto riesgo"
                ),
                on: db
            )
            return summary
        }
    }

    /// Clients with a confirmed list match (other than PEP), an active suspension, or a PLD case decided reportable or
    /// reported.
    static func highRiskClients(lenderID: String, on db: any SQLDatabase) async throws -> Set<String> {
        let rows = try await db.raw(
            """
            SELECT h.client_id FROM screening_hits h LEFT JOIN watchlists w ON w.list = h.list
            WHERE h.lender_id = \(bind: lenderID) AND h.status = 'confirmada' AND COALESCE(w.purpose, 'interna') <> 'pep' AND h.subject <> 'contraparte'
            UNION SELECT client_id FROM client_holds WHERE lender_id = \(bind: lenderID) AND lifted_at IS NULL
              AND source NOT IN (SELECT id FROM screening_hits WHERE subject = 'contraparte')
            UNION SELECT client_id FROM compliance_cases WHERE lender_id = \(bind: lenderID) AND client_id IS NOT NULL
              AND (status = 'reportado' OR decision = 'reportable')
            """
        ).all()
        return Set(try rows.compactMap { try $0.decode(column: "client_id", as: String?.self) })
    }

    /// Whether the client's component, as last built, holds a high-risk client other than itself.
    static func linkedHighRisk(_ clientID: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT linked_high_risk FROM client_components WHERE client_id = \(bind: clientID)")
            .first(decodingColumn: "linked_high_risk", as: Bool.self) ?? false
    }

    /// The client's group as last built, with names; nil when relationships were never built or the client is not in them.
    public func group(of clientID: String, lenderID: String) async throws -> Group? {
        try await database.withConnection { db in
            guard let row = try await db.raw(
                "SELECT component_id, computed_at FROM client_components WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID)"
            ).first() else { return nil }
            let componentID = try row.decode(column: "component_id", as: String.self)
            let highRisk = try await Self.highRiskClients(lenderID: lenderID, on: db)
            let members = try await db.raw(
                """
                SELECT c.id, c.profile FROM client_components g JOIN clients c ON c.id = g.client_id
                WHERE g.lender_id = \(bind: lenderID) AND g.component_id = \(bind: componentID) ORDER BY c.id
                """
            ).all().map { member -> Group.Member in
                let id = try member.decode(column: "id", as: String.self)
                let text = try keys.decrypt(try member.decode(column: "profile", as: String.self), field: ClientDirectory.field)
                let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(text.utf8))
                return Group.Member(clientId: id, displayName: profile.displayName, highRisk: highRisk.contains(id))
            }
            var kinds: [String: [String]] = [:]
            for link in try await db.raw(
                "SELECT from_client, to_client, kind FROM client_links WHERE lender_id = \(bind: lenderID) AND component_id = \(bind: componentID)"
            ).all() {
                let pair = [try link.decode(column: "from_client", as: String.self), try link.decode(column: "to_client", as: String.self)].sorted()
                kinds[pair.joined(separator: " "), default: []].append(try link.decode(column: "kind", as: String.self))
            }
            let edges = kinds.keys.sorted().map { key -> Group.Edge in
                let pair = key.split(separator: " ").map(String.init)
                return Group.Edge(from: pair[0], to: pair[1], kinds: Set(kinds[key]!).sorted())
            }
            return Group(
                componentId: componentID, members: members, edges: edges,
                computedAt: Timestamp(text: try row.decode(column: "computed_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0)
            )
        }
    }

    /// The lender's groups of two clients or more, largest first: component id and size.
    public func groups(lenderID: String, limit: Int = 50) async throws -> [(componentId: String, size: Int, linkedHighRisk: Bool)] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT component_id, MAX(size) AS size, MAX(CASE WHEN linked_high_risk THEN 1 ELSE 0 END) AS flagged FROM client_components
                WHERE lender_id = \(bind: lenderID) AND size > 1 GROUP BY component_id ORDER BY MAX(size) DESC, component_id LIMIT \(literal: limit)
                """
            ).all().map {
                (try $0.decode(column: "component_id", as: String.self), try $0.decode(column: "size", as: Int.self), try $0.decode(column: "flagged", as: Int.self) == 1)
            }
        }
    }
}
