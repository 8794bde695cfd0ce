import Analytics
import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import SQLKit
import Store

/// Origination scorecards: a lender publishes a card trained on its own history (`cartera scoring train`), versioned
/// with its cut-offs and metrics; each application is scored with the card in force — score, probability of going bad,
/// recommendation by the cut-offs and the top adverse reasons — and every score is kept. The applicants' scores are
/// compared with the training population (PSI) to tell when the card needs retraining.
public struct OriginationScoring: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    static let inputsField = "application_scores.inputs"
    /// The points by variable and the adverse reasons name the applicant's values (credit-bureau data among them).
    static let partsField = "application_scores.parts"
    static let adverseField = "application_scores.adverse"

    /// A published card.
    public struct Model: Sendable, Codable, Equatable {
        public let version: Int
        public let name: String
        public let card: Scorecard
        public let cutoffs: Scorecard.Cutoffs
        public let metrics: Metrics
        public let createdAt: Timestamp
        public let createdBy: String
    }

    /// What the card was published with.
    public struct Metrics: Sendable, Codable, Equatable {
        public let training: ScorecardTraining.Separation
        public let holdout: ScorecardTraining.Separation
        public let psi: Double
        public let reference: PopulationStability.Reference
    }

    /// A stored score of an application.
    public struct ApplicationScore: Sendable, Codable, Equatable {
        public let id: String
        public let loanId: String
        public let clientId: String
        public let modelVersion: Int
        public let score: Int
        public let probabilityOfBad: Double
        public let recommendation: Scorecard.Recommendation
        public let parts: [Scorecard.Part]
        public let adverseReasons: [Scorecard.Part]
        /// The adverse reasons as staff read them.
        public let reasons: [String]
        public let scoredAt: Timestamp
        public let scoredBy: String
    }

    /// How the applicants scored with a model compare with its training population.
    public struct Monitoring: Sendable, Codable, Equatable {
        public let modelVersion: Int
        public let applications: Int
        public let psi: Double
        public let reading: String
    }

    // MARK: Models

    /// Publishes a trained card (the JSON `cartera scoring train --output` writes) as the lender's next version.
    public func publish(_ report: ScorecardTraining.Report, name: String, cutoffs: Scorecard.Cutoffs, lenderID: String, actor: Administration.Actor) async throws -> Model {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var issues: [FieldIssue] = []
        if name.isEmpty || name.count > 80 { issues.append(FieldIssue(field: "name", code: "invalid", message: "Dé a la tarjeta un nombre de 1 a 80 caracteres.")) }
        if report.card.variables.isEmpty { issues.append(FieldIssue(field: "card", code: "empty", message: "La tarjeta no tiene variables; entrénela con más datos o un --min-iv menor.")) }
        if cutoffs.review > cutoffs.approve {
            issues.append(FieldIssue(field: "cutoffs", code: "invalid", message: "El puntaje para revisar (\(cutoffs.review)) no puede ser mayor que el de aprobar (\(cutoffs.approve))."))
        }
        guard issues.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "scoring_model_invalid", message: "Revise la tarjeta.", details: issues)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metrics = Metrics(training: report.training, holdout: report.holdout, psi: report.psi, reference: report.reference)
        let (card, cuts, measured) = (
            String(decoding: try encoder.encode(report.card), as: UTF8.self), String(decoding: try encoder.encode(cutoffs), as: UTF8.self),
            String(decoding: try encoder.encode(metrics), as: UTF8.self)
        )
        let now = clock()
        let version = try await database.transaction { db in
            let version = (try await db.raw("SELECT MAX(version) AS v FROM scoring_models WHERE lender_id = \(bind: lenderID)").first(decodingColumn: "v", as: Int?.self).flatMap { $0 } ?? 0) + 1
            try await db.raw(
                """
                INSERT INTO scoring_models (lender_id, version, name, card, cutoffs, metrics, created_at, created_by)
                VALUES (\(bind: lenderID), \(bind: version), \(bind: name), \(bind: card), \(bind: cuts), \(bind: measured), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "scoring.model_published", objectType: "lender", objectID: lenderID, at: now,
                    change: "v\(version) \(name) AUC reserva \(String(format: "%.3f", report.holdout.auc)) aprobar ≥ \(cutoffs.approve) revisar ≥ \(cutoffs.review)"
                ),
                on: db
            )
            return version
        }
        return Model(version: version, name: name, card: report.card, cutoffs: cutoffs, metrics: metrics, createdAt: now, createdBy: actor.id)
    }

    /// The lender's models, newest first (the first is in force).
    public func models(lenderID: String) async throws -> [Model] {
        try await database.withConnection { db in
            let rows = try await db.raw(
                "SELECT version, name, card, cutoffs, metrics, created_at, created_by FROM scoring_models WHERE lender_id = \(bind: lenderID) ORDER BY version DESC"
            ).all()
            return try rows.map(Self.model)
        }
    }

    static func model(_ row: any SQLRow) throws -> Model {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ column: String, _ type: T.Type) throws -> T { try decoder.decode(type, from: Data(try row.decode(column: column, as: String.self).utf8)) }
        return Model(
            version: try row.decode(column: "version", as: Int.self), name: try row.decode(column: "name", as: String.self),
            card: try json("card", Scorecard.self), cutoffs: try json("cutoffs", Scorecard.Cutoffs.self), metrics: try json("metrics", Metrics.self),
            createdAt: Timestamp(text: try row.decode(column: "created_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0),
            createdBy: try row.decode(column: "created_by", as: String.self)
        )
    }

    // MARK: Applications

    /// Scores an application (a loan still in «solicitud») with the model in force on `values` (variable → value, as in
    /// the training file) and the variables of the client's newest credit report (`circulo_score`…); stored and audited. Variables the card uses and `values` lacks count as missing, and are
    /// named in the answer.
    public func score(loanID: String, values: [String: String], lenderID: String, actor: Administration.Actor) async throws -> ApplicationScore {
        var issues: [FieldIssue] = []
        for key in values.keys where key.hasPrefix("circulo_") {
            issues.append(FieldIssue(field: "values.\(key.prefix(40))", code: "bureau_variable_not_allowed", message: "Las variables circulo_* vienen del reporte de crédito consultado; no se envían."))
        }
        for (key, value) in values {
            if key.count > 100 || value.count > 200 { issues.append(FieldIssue(field: "values.\(key.prefix(40))", code: "too_long", message: "Los nombres van hasta 100 caracteres y los valores hasta 200.")) }
            if CardNumberDetector.containsCardNumber(value) { issues.append(FieldIssue(field: "values.\(key.prefix(40))", code: "card_number_in_text", message: "No escriba números de tarjeta.")) }
        }
        guard issues.isEmpty, values.count <= 200 else {
            throw APIError(status: .unprocessableContent, code: "scoring_values_invalid", message: "Revise los valores de la solicitud (hasta 200).", details: issues)
        }
        let now = clock()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try await database.transaction { db in
            guard let loan = try await db.raw("SELECT client_id, status FROM loans WHERE id = \(bind: loanID) AND lender_id = \(bind: lenderID)").first() else {
                throw APIError(status: .notFound, code: "loan_not_found", message: "No existe ese crédito. Revise el identificador.")
            }
            guard try loan.decode(column: "status", as: String.self) == "solicitud" else {
                throw APIError(status: .conflict, code: "loan_status_conflict", message: "Solo se califica una solicitud; este crédito ya fue decidido.")
            }
            guard let row = try await db.raw(
                "SELECT version, name, card, cutoffs, metrics, created_at, created_by FROM scoring_models WHERE lender_id = \(bind: lenderID) ORDER BY version DESC LIMIT 1"
            ).first() else {
                throw APIError(status: .conflict, code: "scoring_model_missing", message: "No hay tarjeta de puntaje publicada. Entrénela y publíquela con: cartera scoring train y cartera scoring publish")
            }
            let model = try Self.model(row)
            let clientID = try loan.decode(column: "client_id", as: String.self)
            // The client's newest credit report (at most 90 days old) gives its variables (requests cannot send them).
            let bureau = try await CreditBureauQueries.latestVariables(
                clientID: clientID, lenderID: lenderID, keys: keys, today: now.calendarDate(utcOffsetSeconds: -6 * 3600), on: db
            )
            let values = values.merging(bureau) { _, fromBureau in fromBureau }
            let result = model.card.score(values, cutoffs: model.cutoffs)
            let id = APIClients.timeOrderedID("sc_", at: now)
            try await db.raw(
                """
                INSERT INTO application_scores (id, lender_id, loan_id, client_id, model_version, score, probability_bad, recommendation, parts, adverse, inputs, scored_at, scored_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: clientID), \(bind: model.version), \(bind: result.score),
                        \(bind: String(format: "%.6f", result.probabilityOfBad)), \(bind: result.recommendation.rawValue),
                        \(bind: keys.cipher.encrypt(String(decoding: try encoder.encode(result.parts), as: UTF8.self), field: Self.partsField)),
                        \(bind: keys.cipher.encrypt(String(decoding: try encoder.encode(result.adverseReasons), as: UTF8.self), field: Self.adverseField)),
                        \(bind: keys.cipher.encrypt(String(decoding: try encoder.encode(values), as: UTF8.self), field: Self.inputsField)), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "loan.scored", objectType: "loan", objectID: loanID, at: now,
                    change: "v\(model.version) \(result.score) \(result.recommendation.rawValue)"
                ),
                on: db
            )
            return Self.applicationScore(
                id: id, loanID: loanID, clientID: clientID, version: model.version, result: result, scoredAt: now, scoredBy: actor.id
            )
        }
    }

    static func applicationScore(id: String, loanID: String, clientID: String, version: Int, result: Scorecard.Result, scoredAt: Timestamp, scoredBy: String) -> ApplicationScore {
        ApplicationScore(
            // As stored: six decimals.
            id: id, loanId: loanID, clientId: clientID, modelVersion: version, score: result.score,
            probabilityOfBad: Double(String(format: "%.6f", result.probabilityOfBad)) ?? result.probabilityOfBad,
            recommendation: result.recommendation, parts: result.parts, adverseReasons: result.adverseReasons, reasons: result.adverseReasons.map(reason), scoredAt: scoredAt,
            scoredBy: scoredBy
        )
    }

    /// An adverse reason as staff read it.
    static func reason(_ part: Scorecard.Part) -> String {
        let value = part.value.isEmpty ? "sin dato" : "«\(part.value)»"
        return "\(part.variable): \(value) da \(part.points) de \(part.maximumPoints) puntos posibles"
    }

    /// The application's scores, newest first.
    public func scores(loanID: String, lenderID: String) async throws -> [ApplicationScore] {
        try await database.withConnection { db in
            let decoder = JSONDecoder()
            let rows = try await db.raw(
                """
                SELECT id, loan_id, client_id, model_version, score, probability_bad, recommendation, parts, adverse, scored_at, scored_by FROM application_scores
                WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY scored_at DESC, id DESC
                """
            ).all()
            return try rows.map { row in
                let parts = try decoder.decode([Scorecard.Part].self, from: Data(try keys.decrypt(try row.decode(column: "parts", as: String.self), field: Self.partsField).utf8))
                let adverse = try decoder.decode([Scorecard.Part].self, from: Data(try keys.decrypt(try row.decode(column: "adverse", as: String.self), field: Self.adverseField).utf8))
                return ApplicationScore(
                    id: try row.decode(column: "id", as: String.self), loanId: loanID, clientId: try row.decode(column: "client_id", as: String.self),
                    modelVersion: try row.decode(column: "model_version", as: Int.self), score: try row.decode(column: "score", as: Int.self),
                    probabilityOfBad: Double(try row.decode(column: "probability_bad", as: String.self)) ?? 0,
                    recommendation: Scorecard.Recommendation(rawValue: try row.decode(column: "recommendation", as: String.self)) ?? .review,
                    parts: parts, adverseReasons: adverse, reasons: adverse.map(Self.reason),
                    scoredAt: Timestamp(text: try row.decode(column: "scored_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0),
                    scoredBy: try row.decode(column: "scored_by", as: String.self)
                )
            }
        }
    }

    /// The population stability of the applications scored with the model in force against its training scores.
    public func monitoring(lenderID: String) async throws -> Monitoring? {
        guard let model = try await models(lenderID: lenderID).first else { return nil }
        let scores = try await database.withConnection { db in
            try await db.raw(
                "SELECT score FROM application_scores WHERE lender_id = \(bind: lenderID) AND model_version = \(bind: model.version)"
            ).all(decodingColumn: "score", as: Int.self)
        }
        let psi = model.metrics.reference.index(actual: scores)
        return Monitoring(modelVersion: model.version, applications: scores.count, psi: psi, reading: scores.isEmpty ? "sin solicitudes calificadas" : PopulationStability.reading(psi))
    }
}
