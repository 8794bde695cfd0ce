import Analytics
import CarteraCore
import CarteraSecurity
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store

/// Trains a lender's roll-risk model on its own loans: for each disbursed loan, the snapshot it had at the end of each of
/// the last months (rebuilt from its payments by replay, so no snapshot history is needed) and whether it was in a
/// worse bucket 30 days later. Models are versioned in `collection_models`; the worklist ranks by the latest.
public struct RollRiskTraining: Sendable {
    let database: Database
    let book: LoanBook

    public init(database: Database, book: LoanBook) {
        self.database = database
        self.book = book
    }

    public struct Result: Sendable, Encodable {
        public let version: Int
        public let examples: Int
        public let training: Int
        public let holdout: Int
        public let holdoutAUC: Double?
        public let rollRate: Double
        /// Each feature's coefficient, intercept first.
        public let coefficients: [String: Double]
    }

    /// Trains on up to `maxLoans` loans (by id) at `months` month-ends before `asOf`, stores the model and returns it.
    public func train(lenderID: String, asOf: CalendarDate, maxLoans: Int = 5_000, months: Int = 6, actor: Administration.Actor) async throws -> Result {
        let buckets = try await database.withConnection { db in try await CollectionSettings.buckets(lenderID: lenderID, on: db) }
        let ids = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id FROM loans WHERE lender_id = \(bind: lenderID) AND disbursed_on IS NOT NULL AND disbursed_on < \(bind: asOf.adding(days: -30).text)
                ORDER BY id LIMIT \(literal: max(1, maxLoans))
                """
            ).all(decodingColumn: "id", as: String.self)
        }
        var examples: [(features: [Double], rolled: Bool)] = []
        for id in ids {
            let (loaded, events) = try await database.withConnection { db in
                let loaded = try await book.load(id, lenderID: lenderID, on: db)
                return (loaded, try await book.activeEvents(id, on: db))
            }
            guard let terms = loaded.terms else { continue }
            func snapshot(_ day: CalendarDate) throws -> LoanSnapshot {
                let position = try book.replay(terms, events.filter { $0.valueDate <= day }, day)
                return LoanSnapshot(
                    position: position, date: day, loanID: id, clientID: loaded.record.clientId, productCode: loaded.record.productCode,
                    restructured: loaded.record.restructuredFrom != nil, buckets: buckets
                )
            }
            for month in 1...max(1, months) {
                let day = asOf.adding(days: -30 * Int64(month))
                guard day > terms.disbursementDate else { continue }
                // A loan the replay cannot compute is left out of training, as the close leaves it out of the day.
                guard let earlier = try? snapshot(day), earlier.status == "active", let later = try? snapshot(day.adding(days: 30)) else { continue }
                examples.append((RollRiskModel.features(earlier), RollRiskModel.rolled(from: earlier, to: later, buckets: buckets)))
            }
        }
        guard examples.count >= 50 else {
            throw CollectionRefusal("not_enough_history", "Hacen falta al menos 50 ejemplos (créditos con un mes de historia); hay \(examples.count).")
        }
        let model: RollRiskModel
        do { model = try RollRiskModel.train(examples) } catch {
            throw CollectionRefusal("model_not_trained", "No se pudo ajustar el modelo (\(error)): la historia no distingue los créditos que empeoran de los que no.")
        }
        let json = String(decoding: try JSONEncoder().encode(model), as: UTF8.self)
        let count = examples.count
        let now = book.clock()
        let version = try await database.transaction { db in
            let last = try await db.raw("SELECT MAX(version) AS v FROM collection_models WHERE lender_id = \(bind: lenderID)").first(decodingColumn: "v", as: Int?.self) ?? nil
            let version = (last ?? 0) + 1
            try await db.raw(
                """
                INSERT INTO collection_models (lender_id, version, model, trained_at, trained_by)
                VALUES (\(bind: lenderID), \(bind: version), \(bind: json), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "collections.model_trained", objectType: "lender", objectID: lenderID, at: now,
                    change: "{\"version\":\(version),\"examples\":\(count),\"auc\":\(model.holdoutAUC.map { String(format: "%.4f", $0) } ?? "null")}"
                ),
                on: db
            )
            return version
        }
        var coefficients = ["intercepto": model.regression.coefficients[0]]
        for (name, value) in zip(RollRiskModel.featureNames, model.regression.coefficients.dropFirst()) { coefficients[name] = value }
        return Result(
            version: version, examples: examples.count, training: model.trainingExamples, holdout: model.holdoutExamples, holdoutAUC: model.holdoutAUC,
            rollRate: model.rollRate, coefficients: coefficients
        )
    }

    /// One version of the lender's model.
    static func model(lenderID: String, version: Int, on db: any SQLDatabase) async throws -> RollRiskModel? {
        guard let text = try await db.raw(
            "SELECT model FROM collection_models WHERE lender_id = \(bind: lenderID) AND version = \(bind: version)"
        ).first(decodingColumn: "model", as: String.self) else { return nil }
        return try JSONDecoder().decode(RollRiskModel.self, from: Data(text.utf8))
    }

    /// The lender's latest model, if it trained one.
    static func latest(lenderID: String, on db: any SQLDatabase) async throws -> (version: Int, model: RollRiskModel)? {
        guard let row = try await db.raw(
            "SELECT version, model FROM collection_models WHERE lender_id = \(bind: lenderID) ORDER BY version DESC LIMIT 1"
        ).first() else { return nil }
        let model = try JSONDecoder().decode(RollRiskModel.self, from: Data(try row.decode(column: "model", as: String.self).utf8))
        return (try row.decode(column: "version", as: Int.self), model)
    }
}
