import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store

/// What each client declared about the operations it will make (perfil transaccional): the newest declaration is in
/// force and the monitoring rules compare the client's behaviour with it; earlier ones are kept as history.
public struct TransactionalProfiles: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A declaration as stored.
    public struct Declaration: Sendable, Codable, Equatable {
        public let clientId: String
        public let profile: TransactionalProfile
        public let sourceOfFunds: String
        public let declaredAt: Timestamp
        public let declaredBy: String
    }

    /// Records a new declaration for a client (audited); it is in force from now on.
    public func declare(
        clientID: String, monthlyAmount: String, monthlyOperations: Int, instruments: [String], sourceOfFunds: String, lenderID: String, actor: Administration.Actor
    ) async throws -> Declaration {
        var issues: [FieldIssue] = []
        let amount = try? Money(parsing: monthlyAmount)
        if amount == nil || !(amount!.isPositive) {
            issues.append(FieldIssue(field: "monthlyAmount", code: "invalid", message: "El monto mensual esperado se escribe como 15000.00 y es mayor que cero."))
        }
        if !(1...10_000).contains(monthlyOperations) {
            issues.append(FieldIssue(field: "monthlyOperations", code: "invalid", message: "El número de operaciones al mes va de 1 a 10,000."))
        }
        let parsed = instruments.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        let known = parsed.compactMap(MonitoredOperation.Instrument.init(rawValue:))
        if known.isEmpty || known.count != parsed.count {
            issues.append(FieldIssue(
                field: "instruments", code: "invalid",
                message: "Indique los instrumentos que usará: \(MonitoredOperation.Instrument.allCases.map(\.rawValue).joined(separator: ", "))."
            ))
        }
        let source = sourceOfFunds.trimmingCharacters(in: .whitespacesAndNewlines)
        if source.count < 3 || source.count > 500 {
            issues.append(FieldIssue(field: "sourceOfFunds", code: "invalid", message: "Describa el origen de los recursos (de 3 a 500 caracteres)."))
        } else if CardNumberDetector.containsCardNumber(source) {
            issues.append(FieldIssue(field: "sourceOfFunds", code: "card_number_in_text", message: "No escriba números de tarjeta."))
        }
        guard issues.isEmpty, let amount else {
            throw APIError(status: .unprocessableContent, code: "profile_invalid", message: "Revise el perfil transaccional.", details: issues)
        }
        let profile = TransactionalProfile(monthlyAmount: amount, monthlyOperations: monthlyOperations, instruments: Set(known))
        let now = clock()
        let cipher = keys.cipher
        let instrumentText = profile.instruments.map(\.rawValue).sorted().joined(separator: ",")
        try await database.transaction { db in
            guard try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            try await db.raw(
                """
                INSERT INTO transactional_profiles (id, lender_id, client_id, monthly_amount, monthly_operations, instruments, source_of_funds, declared_at, declared_by)
                VALUES (\(bind: "tp_" + APIClients.randomHex(bytes: 10)), \(bind: lenderID), \(bind: clientID), \(bind: amount.minorUnits), \(bind: monthlyOperations),
                        \(bind: instrumentText), \(bind: cipher.encrypt(source, field: "transactional_profiles.source_of_funds")), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "client.profile_declared", objectType: "client", objectID: clientID, at: now,
                                     change: "\(amount.minorUnits) \(monthlyOperations) \(instrumentText) \(source)"),
                on: db
            )
            try await RiskGrades(database: database, keys: keys, clock: clock).assess(clientID: clientID, occasion: .profile, actor: actor, on: db)
        }
        return Declaration(clientId: clientID, profile: profile, sourceOfFunds: source, declaredAt: now, declaredBy: actor.id)
    }

    /// The client's declarations, newest first (the first is in force).
    public func history(clientID: String, lenderID: String) async throws -> [Declaration] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT monthly_amount, monthly_operations, instruments, source_of_funds, declared_at, declared_by FROM transactional_profiles
                WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID) ORDER BY declared_at DESC, id DESC
                """
            ).all().map { row in
                Declaration(
                    clientId: clientID,
                    profile: TransactionalProfile(
                        monthlyAmount: Money(minorUnits: try row.decode(column: "monthly_amount", as: Int64.self), currency: .mxn),
                        monthlyOperations: try row.decode(column: "monthly_operations", as: Int.self),
                        instruments: Set(try row.decode(column: "instruments", as: String.self).split(separator: ",").compactMap { MonitoredOperation.Instrument(rawValue: String($0)) })
                    ),
                    sourceOfFunds: try keys.decrypt(try row.decode(column: "source_of_funds", as: String.self), field: "transactional_profiles.source_of_funds"),
                    declaredAt: try ComplianceCases.instant(row, "declared_at"), declaredBy: try row.decode(column: "declared_by", as: String.self)
                )
            }
        }
    }
}
