import CarteraCore
import CarteraSecurity
import Foundation
import LoanCollections
import SQLKit
import Store

/// Each lender's dunning ladders: versioned (a change is a new version, earlier messages keep the version they were
/// written under), each for a product, a behaviour segment, both or every loan. A loan follows the latest version of
/// the most specific policy that applies — product and segment, then product, then segment, then the lender's
/// general one — and the standard ladder when the lender set none.
public struct DunningPolicies: Sendable {
    public struct Scoped: Sendable, Equatable {
        public let policy: DunningPolicy
        public let productCode: String?
        public let segment: BehaviourSegment?
    }

    /// The latest version of each of the lender's policies.
    public let policies: [Scoped]

    public init(policies: [Scoped]) { self.policies = policies }

    /// The policy for a loan of `productCode` in `segment`.
    public func policy(productCode: String, segment: BehaviourSegment) -> DunningPolicy {
        let ranked = policies.compactMap { scoped -> (Int, Scoped)? in
            if let product = scoped.productCode, product != productCode { return nil }
            if let wanted = scoped.segment, wanted != segment { return nil }
            return ((scoped.productCode != nil ? 2 : 0) + (scoped.segment != nil ? 1 : 0), scoped)
        }
        return ranked.max { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.policy.code > $1.1.policy.code }?.1.policy ?? .standard
    }

    /// The latest version of each of the lender's policies, read in the caller's connection.
    public static func load(lenderID: String, on db: any SQLDatabase) async throws -> DunningPolicies {
        let rows = try await db.raw(
            """
            SELECT p.policy, p.product_code, p.segment FROM dunning_policies p
            WHERE p.lender_id = \(bind: lenderID) AND p.version = (SELECT MAX(version) FROM dunning_policies q WHERE q.lender_id = p.lender_id AND q.code = p.code)
            ORDER BY p.code
            """
        ).all()
        return DunningPolicies(policies: try rows.map { row in
            Scoped(
                policy: try JSONDecoder().decode(DunningPolicy.self, from: Data(try row.decode(column: "policy", as: String.self).utf8)),
                productCode: try row.decode(column: "product_code", as: String?.self),
                segment: try row.decode(column: "segment", as: String?.self).flatMap(BehaviourSegment.init(rawValue:))
            )
        })
    }

    /// Saves `steps` as the next version of policy `code` for `productCode` and/or `segment` (nil: every loan); the steps'
    /// templates must exist among the lender's (`MessageTemplateBook`), for the step's channel. Audited. Returns the saved policy.
    public static func save(
        code: String, steps: [DunningPolicy.Step], productCode: String?, segment: BehaviourSegment?,
        lenderID: String, actor: Administration.Actor, database: Database, now: Timestamp
    ) async throws -> DunningPolicy {
        try await database.transaction { db in
            let last = try await db.raw(
                "SELECT MAX(version) AS v FROM dunning_policies WHERE lender_id = \(bind: lenderID) AND code = \(bind: code)"
            ).first(decodingColumn: "v", as: Int?.self) ?? nil
            let policy = DunningPolicy(code: code, version: (last ?? 0) + 1, steps: steps)
            var issues = policy.issues()
            let templates = try await MessageTemplateBook.load(lenderID: lenderID, on: db)
            for (index, step) in policy.steps.enumerated() {
                guard let template = templates.first(where: { $0.key == step.template }) else {
                    issues.append(FieldIssue(field: "steps[\(index)].template", code: "dunning_policy_invalid", message: "No existe la plantilla «\(step.template)»."))
                    continue
                }
                if template.channel != step.channel {
                    issues.append(FieldIssue(field: "steps[\(index)].channel", code: "dunning_policy_invalid", message: "La plantilla «\(step.template)» es para \(template.channel.label), no para \(step.channel.label)."))
                }
            }
            if let productCode, try await db.raw("SELECT code FROM products WHERE lender_id = \(bind: lenderID) AND code = \(bind: productCode)").first() == nil {
                issues.append(FieldIssue(field: "product", code: "dunning_policy_invalid", message: "No existe el producto «\(productCode)»."))
            }
            if let issue = issues.first {
                throw CollectionRefusal(issue.code, issues.map { "\($0.field): \($0.message)" }.joined(separator: " "))
            }
            let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO dunning_policies (lender_id, code, version, product_code, segment, policy, created_at, created_by)
                VALUES (\(bind: lenderID), \(bind: code), \(bind: policy.version), \(bind: productCode), \(bind: segment?.rawValue), \(bind: json), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "collections.dunning_policy", objectType: "lender", objectID: lenderID, at: now, change: json), on: db
            )
            return policy
        }
    }
}
