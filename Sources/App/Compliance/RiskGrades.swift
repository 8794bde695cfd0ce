import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store

/// Client risk grades: each client graded by the risk matrix in force from its file, list matches, loans, declared
/// profile, alerts and what staff declared; graded again whenever one of those changes, each grade kept with the
/// factors that produced it.
public struct RiskGrades: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// Why a client was graded.
    public enum Occasion: String, Sendable, Codable {
        case onboarding = "alta"
        case listMatch = "coincidencia_en_listas"
        case profile = "perfil_transaccional"
        case facts = "datos_declarados"
        case alert = "alerta"
        case settings = "matriz_nueva"
        case request = "solicitud"
        /// The client's relationships changed: linked to a high-risk client, or no longer.
        case links = "vinculos"
    }

    /// The matrix and catalogues in force, and their version (0: the starting matrix without catalogues).
    public struct Settings: Sendable, Codable, Equatable {
        public let version: Int
        public let matrix: RiskMatrix
        public let catalogs: RiskCatalogs
    }

    /// A grade as stored.
    public struct Record: Sendable, Codable, Equatable {
        public let clientId: String
        public let grade: RiskGrade
        public let points: Int
        public let matrixVersion: Int
        public let settingsVersion: Int
        public let parts: [RiskMatrix.Part]
        public let reasons: [String]
        public let occasion: String
        public let assessedAt: Timestamp
        public let assessedBy: String
    }

    static func settings(on db: any SQLDatabase) async throws -> Settings {
        guard let row = try await db.raw("SELECT version, matrix, catalogs FROM risk_settings ORDER BY version DESC LIMIT 1").first() else {
            return Settings(version: 0, matrix: .starting, catalogs: RiskCatalogs())
        }
        let decoder = JSONDecoder()
        return Settings(
            version: try row.decode(column: "version", as: Int.self),
            matrix: try decoder.decode(RiskMatrix.self, from: Data(try row.decode(column: "matrix", as: String.self).utf8)),
            catalogs: try decoder.decode(RiskCatalogs.self, from: Data(try row.decode(column: "catalogs", as: String.self).utf8))
        )
    }

    /// The settings in force.
    public func settings() async throws -> Settings {
        try await database.withConnection { try await Self.settings(on: $0) }
    }

    /// Publishes a matrix and catalogues as the next settings version (audited); every client is graded again by
    /// `assessAll`.
    public func publish(matrix: RiskMatrix, catalogs: RiskCatalogs, actor: Administration.Actor) async throws -> Settings {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let (matrixText, catalogText) = (String(decoding: try encoder.encode(matrix), as: UTF8.self), String(decoding: try encoder.encode(catalogs), as: UTF8.self))
        let now = clock()
        return try await database.transaction { db in
            let last = try await db.raw("SELECT MAX(version) AS v FROM risk_settings").first(decodingColumn: "v", as: Int?.self) ?? nil
            let version = (last ?? 0) + 1
            try await db.raw(
                """
                INSERT INTO risk_settings (version, matrix, catalogs, created_at, created_by)
                VALUES (\(bind: version), \(bind: matrixText), \(bind: catalogText), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "compliance.risk_settings_published", objectType: "risk_settings", objectID: "\(version)", at: now, change: matrixText + catalogText),
                on: db
            )
            return Settings(version: version, matrix: matrix, catalogs: catalogs)
        }
    }

    /// Records factor values staff declared for a client (`canal`, `tipo_cliente`, `listas: medios_adversos`…) and
    /// grades it again. Values must be ones the matrix in force knows.
    public func declare(clientID: String, facts: [String: String], lenderID: String, actor: Administration.Actor) async throws -> Record {
        let now = clock()
        return try await database.transaction { db in
            let settings = try await Self.settings(on: db)
            var issues: [FieldIssue] = []
            for (key, value) in facts.sorted(by: { $0.key < $1.key }) {
                guard let factor = settings.matrix.factors.first(where: { $0.key == key }) else {
                    issues.append(FieldIssue(field: key, code: "unknown_factor", message: "La matriz no tiene el factor «\(key)»."))
                    continue
                }
                if factor.points[value] == nil {
                    issues.append(FieldIssue(field: key, code: "unknown_value", message: "«\(value)» no es un valor de \(factor.label); use \(factor.points.keys.sorted().joined(separator: ", "))."))
                }
            }
            guard issues.isEmpty else { throw APIError(status: .unprocessableContent, code: "risk_facts_invalid", message: "Revise los datos de riesgo.", details: issues) }
            guard try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            var merged = try await Self.facts(clientID, on: db)
            merged.merge(facts) { _, new in new }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let text = String(decoding: try encoder.encode(merged), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO client_risk_facts (client_id, facts, updated_at, updated_by) VALUES (\(bind: clientID), \(bind: text), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (client_id) DO UPDATE SET facts = excluded.facts, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "client.risk_facts_declared", objectType: "client", objectID: clientID, at: now, change: text), on: db
            )
            return try await assess(clientID: clientID, occasion: .facts, actor: actor, on: db, force: true)
        }
    }

    static func facts(_ clientID: String, on db: any SQLDatabase) async throws -> [String: String] {
        guard let text = try await db.raw("SELECT facts FROM client_risk_facts WHERE client_id = \(bind: clientID)").first(decodingColumn: "facts", as: String.self) else { return [:] }
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    /// Grades a client inside the caller's transaction and stores the grade when it differs from the last one (or when
    /// `force`); returns the client's grade.
    @discardableResult
    public func assess(clientID: String, occasion: Occasion, actor: Administration.Actor, on db: any SQLDatabase, force: Bool = false) async throws -> Record {
        guard let row = try await db.raw("SELECT lender_id, profile FROM clients WHERE id = \(bind: clientID)").first() else {
            throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
        }
        let lenderID = try row.decode(column: "lender_id", as: String.self)
        let text = try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field)
        let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(text.utf8))
        let settings = try await Self.settings(on: db)
        let now = clock()
        let hits = try await db.raw(
            "SELECT h.status, w.purpose FROM screening_hits h LEFT JOIN watchlists w ON w.list = h.list WHERE h.client_id = \(bind: clientID) AND h.status <> 'descartada'"
        ).all().map { (try $0.decode(column: "status", as: String.self), try $0.decode(column: "purpose", as: String?.self) ?? "interna") }
        let products = try await db.raw("SELECT DISTINCT product_code FROM loans WHERE client_id = \(bind: clientID) ORDER BY product_code").all(decodingColumn: "product_code", as: String.self)
        let alerts = try await db.raw(
            """
            SELECT COUNT(*) AS n FROM compliance_alerts WHERE client_id = \(bind: clientID) AND report = 'inusual'
            AND operation_date >= \(bind: now.calendarDate(utcOffsetSeconds: -6 * 3600).adding(days: -365).text)
            """
        ).first(decodingColumn: "n", as: Int.self) ?? 0
        let declaredProfile = try await db.raw(
            "SELECT instruments FROM transactional_profiles WHERE client_id = \(bind: clientID) ORDER BY declared_at DESC, id DESC LIMIT 1"
        ).first(decodingColumn: "instruments", as: String.self)
        let inputs = RiskInputs(
            isCompany: profile.kind == .company, nationality: profile.individual?.nationality ?? profile.company?.nationality ?? "MX",
            residenceCountry: profile.address.country, state: profile.address.state,
            activity: profile.individual?.occupation ?? profile.company?.businessActivity ?? "", productCodes: products,
            pendingListMatch: hits.contains { $0.0 == "pendiente" }, confirmedListMatch: hits.contains { $0.0 == "confirmada" && $0.1 != "pep" },
            confirmedPEP: hits.contains { $0.0 == "confirmada" && $0.1 == "pep" }, unusualAlertsLast12Months: alerts,
            declaredProfile: declaredProfile != nil, declaresCash: declaredProfile?.split(separator: ",").contains("efectivo") ?? false,
            linkedToHighRisk: try await ClientRelationships.linkedHighRisk(clientID, on: db),
            declared: try await Self.facts(clientID, on: db)
        )
        let assessment = settings.matrix.assess(inputs.values(catalogs: settings.catalogs, matrix: settings.matrix))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let parts = String(decoding: try encoder.encode(assessment.parts), as: UTF8.self)
        let last = try await db.raw(
            "SELECT grade, points, parts, settings_version FROM risk_assessments WHERE client_id = \(bind: clientID) ORDER BY assessed_at DESC, id DESC LIMIT 1"
        ).first()
        let unchanged = try last.map {
            try $0.decode(column: "grade", as: String.self) == assessment.grade.rawValue && $0.decode(column: "parts", as: String.self) == parts
                && $0.decode(column: "settings_version", as: Int.self) == settings.version
        } ?? false
        if !unchanged || force {
            try await db.raw(
                """
                INSERT INTO risk_assessments (id, lender_id, client_id, settings_version, matrix_version, points, points_grade, grade, parts, occasion, assessed_at, assessed_by)
                VALUES (\(bind: "ra_" + APIClients.randomHex(bytes: 10)), \(bind: lenderID), \(bind: clientID), \(bind: settings.version), \(bind: assessment.matrixVersion),
                        \(bind: assessment.points), \(bind: assessment.pointsGrade.rawValue), \(bind: assessment.grade.rawValue), \(bind: parts), \(bind: occasion.rawValue), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            let previous = try last?.decode(column: "grade", as: String.self)
            if previous != assessment.grade.rawValue {
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "client.risk_graded", objectType: "client", objectID: clientID, at: now,
                                         change: "\(previous ?? "-")→\(assessment.grade.rawValue) \(assessment.points) \(occasion.rawValue)"),
                    on: db
                )
            }
        }
        try await db.raw("DELETE FROM risk_reassessments WHERE client_id = \(bind: clientID)").run()
        return try await Self.latest(clientID, on: db)!
    }

    static func latest(_ clientID: String, on db: any SQLDatabase) async throws -> Record? {
        try await history(clientID, limit: 1, on: db).first
    }

    static func history(_ clientID: String, limit: Int, on db: any SQLDatabase) async throws -> [Record] {
        let decoder = JSONDecoder()
        let rows = try await db.raw(
            """
            SELECT grade, points, points_grade, matrix_version, settings_version, parts, occasion, assessed_at, assessed_by FROM risk_assessments
            WHERE client_id = \(bind: clientID) ORDER BY assessed_at DESC, id DESC LIMIT \(literal: limit)
            """
        ).all()
        return try rows.map { row -> Record in
            let parts = try decoder.decode([RiskMatrix.Part].self, from: Data(try row.decode(column: "parts", as: String.self).utf8))
            let grade = RiskGrade(rawValue: try row.decode(column: "grade", as: String.self)) ?? .high
            let points = try row.decode(column: "points", as: Int.self)
            let matrixVersion = try row.decode(column: "matrix_version", as: Int.self)
            // The reasons are worked out again from the stored parts (points and floors), as when graded.
            let pointsGrade = RiskGrade(rawValue: try row.decode(column: "points_grade", as: String.self)) ?? grade
            let banded = RiskMatrix.Assessment(matrixVersion: matrixVersion, points: points, pointsGrade: pointsGrade, grade: grade, parts: parts)
            return Record(
                clientId: clientID, grade: grade, points: points, matrixVersion: matrixVersion, settingsVersion: try row.decode(column: "settings_version", as: Int.self),
                parts: parts, reasons: banded.reasons, occasion: try row.decode(column: "occasion", as: String.self),
                assessedAt: try ComplianceCases.instant(row, "assessed_at"), assessedBy: try row.decode(column: "assessed_by", as: String.self)
            )
        }
    }

    /// The client's grades, newest first (the first is in force).
    public func history(clientID: String, lenderID: String) async throws -> [Record] {
        try await database.withConnection { db in
            guard try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)").first() != nil else { return [] }
            return try await Self.history(clientID, limit: 1_000, on: db)
        }
    }

    /// Grades again the clients queued by monitoring (or every client with `all`, after new settings), a page per
    /// transaction; returns how many were graded and how many changed grade.
    public func assessPending(all: Bool, actor: Administration.Actor, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> (assessed: Int, changed: Int) {
        let queued = try await database.withConnection { db in
            try await db.raw(
                all ? "SELECT id, 'todos' AS reason FROM clients ORDER BY id" : "SELECT client_id AS id, reason FROM risk_reassessments ORDER BY client_id"
            ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "reason", as: String.self)) }
        }
        let ids = queued.map(\.0)
        let reasons = Dictionary(queued, uniquingKeysWith: { first, _ in first })
        var changed = 0
        for start in stride(from: 0, to: ids.count, by: 200) {
            let page = Array(ids[start..<min(start + 200, ids.count)])
            changed += try await database.transaction { db in
                var changes = 0
                for id in page {
                    let before = try await Self.latest(id, on: db)?.grade
                    let occasion: Occasion = all ? .settings : reasons[id] == "vinculos" ? .links : .alert
                    let after = try await assess(clientID: id, occasion: occasion, actor: actor, on: db).grade
                    if before != after { changes += 1 }
                }
                return changes
            }
            progress(min(start + 200, ids.count), ids.count)
        }
        return (ids.count, changed)
    }
}
