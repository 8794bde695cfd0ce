import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store

/// The monitoring rules' versions: a compliance officer publishes new thresholds as a new version; alerts name the
/// version that raised them.
public struct MonitoringRuleBook: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    /// The rules in force (the defaults until a version is published).
    public func current() async throws -> MonitoringRules {
        try await database.withConnection { try await TransactionMonitor.rules(on: $0) }
    }

    /// Publishes `rules` as the next version (its own version number is replaced) and returns them as stored.
    public func publish(_ rules: MonitoringRules, actor: Administration.Actor) async throws -> MonitoringRules {
        guard rules.relevantDollars.isPositive, rules.profileFactorBasisPoints >= 10_000, rules.earlyPayoffDays >= 0,
              rules.structuringWindowDays >= 1, (0...10_000).contains(rules.structuringBandBasisPoints), rules.structuringCount >= 2
        else {
            throw APIError(
                status: .unprocessableContent, code: "rules_invalid",
                message: "Reglas no válidas: el umbral de relevantes es positivo, el factor del perfil al menos 1× (10000), la ventana de fraccionamiento de al menos un día, su banda de 0 a 10000 y al menos dos operaciones."
            )
        }
        let now = clock()
        return try await database.transaction { db in
            let last = try await db.raw("SELECT MAX(version) AS v FROM monitoring_rules").first(decodingColumn: "v", as: Int?.self) ?? nil
            var next = rules
            next.version = max(last ?? 1, 1) + 1
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let text = String(decoding: try encoder.encode(next), as: UTF8.self)
            try await db.raw(
                "INSERT INTO monitoring_rules (version, rules, created_at, created_by) VALUES (\(bind: next.version), \(bind: text), \(bind: now.text), \(bind: actor.id))"
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "compliance.rules_published", objectType: "monitoring_rules", objectID: "\(next.version)", at: now, change: text),
                on: db
            )
            return next
        }
    }
}
