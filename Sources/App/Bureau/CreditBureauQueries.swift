import CarteraCore
import CarteraSecurity
import Clients
import CreditBureau
import Foundation
import HTTPTypes
import Integrations
import SQLKit
import Store

/// Credit reports from Círculo de Crédito: never without the borrower's recorded express authorisation (one query per
/// authorisation, within its validity), the answer kept exactly as received and encrypted, every step audited; the
/// report's variables feed the origination score.
public struct CreditBureauQueries: Sendable {
    let database: Database
    let keys: LiveKeys
    let settings: CirculoClient.Settings?
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, settings: CirculoClient.Settings?, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.settings = settings
        self.clock = clock
    }

    static let evidenceField = "bureau_authorizations.evidence"
    static let reportField = "bureau_reports.report"
    /// How long an authorisation may be used after it was signed (commonly three months; unverified).
    public static let validityMonths = 3

    /// How the borrower authorised the query.
    public enum Channel: String, Sendable, Codable, CaseIterable {
        /// Signed by hand on paper.
        case autograph = "autografa"
        /// Through an electronic means the lender has agreed with the borrower (NIP, e.firma, signature on screen).
        case electronic = "electronica"
    }

    /// A recorded authorisation.
    public struct Authorization: Sendable, Codable, Equatable {
        public let id: String
        public let clientId: String
        public let signedOn: CalendarDate
        public let channel: Channel
        public let validUntil: CalendarDate
        public let used: Bool
    }

    /// A query made.
    public struct Report: Sendable, Codable, Equatable {
        public let id: String
        public let clientId: String
        public let authorizationId: String
        public let bureau: String
        public let folio: String?
        public let score: Int?
        /// `reporte` or `sin_historial`.
        public let outcome: String
        /// What the origination scorecard can use of it.
        public let variables: [String: String]
        public let queriedAt: Timestamp
        public let queriedBy: String
    }

    func today() -> CalendarDate { clock().calendarDate(utcOffsetSeconds: -6 * 3600) }

    /// Records the borrower's authorisation to query a credit bureau (audited).
    public func authorize(clientID: String, signedOn: String, channel: String, evidence: String, lenderID: String, actor: Administration.Actor) async throws -> Authorization {
        let today = today()
        var issues: [FieldIssue] = []
        let signed = CalendarDate(text: signedOn.trimmingCharacters(in: .whitespaces))
        if signed == nil { issues.append(FieldIssue(field: "signedOn", code: "invalid", message: "La fecha de firma se escribe AAAA-MM-DD.")) }
        if let signed, signed > today { issues.append(FieldIssue(field: "signedOn", code: "in_future", message: "La autorización no puede estar firmada después de hoy.")) }
        if let signed, signed.adding(months: Self.validityMonths) < today {
            issues.append(FieldIssue(field: "signedOn", code: "expired", message: "Una autorización firmada hace más de \(Self.validityMonths) meses ya no sirve; recabe una nueva."))
        }
        let how = Channel(rawValue: channel.trimmingCharacters(in: .whitespaces).lowercased())
        if how == nil { issues.append(FieldIssue(field: "channel", code: "invalid", message: "Indique cómo firmó: autografa o electronica.")) }
        let evidence = evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(5...500).contains(evidence.count) || CardNumberDetector.containsCardNumber(evidence) {
            issues.append(FieldIssue(field: "evidence", code: "invalid", message: "Describa dónde consta la autorización (folio del formato firmado, NIP, constancia electrónica): de 5 a 500 caracteres."))
        }
        guard issues.isEmpty, let signed, let how else {
            throw APIError(status: .unprocessableContent, code: "bureau_authorization_invalid", message: "Revise la autorización de consulta.", details: issues)
        }
        let now = clock()
        let id = APIClients.timeOrderedID("aut_", at: now)
        let validUntil = signed.adding(months: Self.validityMonths)
        try await database.transaction { db in
            guard try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)").first() != nil else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            try await db.raw(
                """
                INSERT INTO bureau_authorizations (id, lender_id, client_id, signed_on, channel, evidence, valid_until, recorded_at, recorded_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: clientID), \(bind: signed.text), \(bind: how.rawValue),
                        \(bind: keys.cipher.encrypt(evidence, field: Self.evidenceField)), \(bind: validUntil.text), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "bureau.authorization_recorded", objectType: "client", objectID: clientID, at: now,
                                     change: "\(id) \(signed.text) \(how.rawValue) \(evidence)"),
                on: db
            )
        }
        return Authorization(id: id, clientId: clientID, signedOn: signed, channel: how, validUntil: validUntil, used: false)
    }

    /// Queries Círculo for the client's report with an unused authorisation in force (the given one, or the newest);
    /// refused without one. The answer — a report or «sin historial» — is stored encrypted and uses the authorisation.
    public func query(clientID: String, authorizationID: String? = nil, lenderID: String, actor: Administration.Actor) async throws -> Report {
        guard let settings else {
            throw APIError(
                status: .serviceUnavailable, code: "bureau_not_configured",
                message: "No hay conexión con Círculo de Crédito configurada (CARTERA_CIRCULO_API_KEY y demás); pida al administrador que la configure."
            )
        }
        let today = today()
        let (authorization, profile) = try await database.withConnection { db -> (String, ClientProfile) in
            guard let stored = try await db.raw(
                "SELECT profile FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)"
            ).first(decodingColumn: "profile", as: String.self) else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(try keys.decrypt(stored, field: ClientDirectory.field).utf8))
            let usable = try await db.raw(
                """
                SELECT id FROM bureau_authorizations WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID) AND used_at IS NULL
                AND valid_until >= \(bind: today.text) ORDER BY signed_on DESC, id DESC
                """
            ).all(decodingColumn: "id", as: String.self)
            guard let chosen = authorizationID.map({ usable.contains($0) ? $0 : nil }) ?? usable.first else {
                throw APIError(
                    status: .conflict, code: "bureau_authorization_required",
                    message: "No hay una autorización de consulta vigente y sin usar de este cliente. Recabe su autorización expresa (firma autógrafa o medio electrónico) y regístrela antes de consultar."
                )
            }
            return (chosen, profile)
        }
        guard profile.kind == .individual, let person = profile.individual else {
            throw APIError(status: .unprocessableContent, code: "bureau_person_type", message: "La consulta a Círculo de Crédito con FICO Score es para personas físicas.")
        }
        guard let rfc = person.rfc else {
            throw APIError(status: .unprocessableContent, code: "bureau_rfc_required", message: "Círculo de Crédito pide el RFC con homoclave; agréguelo a los datos del cliente.")
        }
        let names = person.givenNames.split(separator: " ").map(String.init)
        let address = profile.address
        let request = CirculoRequest(
            apellidoPaterno: person.paternalSurname, apellidoMaterno: person.maternalSurname ?? "NO PROPORCIONADO", primerNombre: names.first ?? person.givenNames,
            segundoNombre: names.count > 1 ? names.dropFirst().joined(separator: " ") : nil, fechaNacimiento: person.birthDate.text, rfc: rfc, curp: person.curp,
            nacionalidad: person.nationality,
            domicilio: .init(
                direccion: [address.street, address.exteriorNumber, address.interiorNumber ?? ""].filter { !$0.isEmpty }.joined(separator: " "),
                coloniaPoblacion: address.neighborhood, delegacionMunicipio: address.municipality, ciudad: address.city,
                estado: BuroStates.byCURP[address.state] ?? address.state, cp: address.postalCode
            ),
            folioOtorgante: Self.folio(authorization)
        )
        // Claimed before asking: two requests never spend one authorisation (each query is charged).
        let claimedAt = clock()
        let claimed = try await database.withConnection { db in
            try await db.raw(
                "UPDATE bureau_authorizations SET used_at = \(bind: claimedAt.text) WHERE id = \(bind: authorization) AND used_at IS NULL RETURNING id"
            ).first() != nil
        }
        guard claimed else {
            throw APIError(status: .conflict, code: "bureau_authorization_required", message: "Esa autorización se acaba de usar en otra consulta; recabe una nueva.")
        }
        let outcome: (report: CirculoReport?, body: [UInt8])
        do {
            let answer = try await CirculoClient(settings: settings).report(request)
            outcome = (answer.report, answer.body)
        } catch CirculoError.notFound {
            outcome = (nil, Array(#"{"sinHistorial":true}"#.utf8))
        } catch {
            // Refused, or the service unavailable: nothing was charged, the authorisation is free again. An answer that
            // could not be read may have been charged: the authorisation stays used.
            let charged: Bool
            switch error {
            case .invalidResponse: charged = true
            default: charged = false
            }
            _ = try await database.transaction { db in
                if !charged { try await db.raw("UPDATE bureau_authorizations SET used_at = NULL WHERE id = \(bind: authorization)").run() }
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "bureau.query_failed", objectType: "client", objectID: clientID, at: clock(),
                                         change: "\(error.code) \(error.message)\(charged ? " (autorización usada: la consulta pudo cobrarse)" : "")", outcome: .failure),
                    on: db
                )
            }
            throw APIError(status: error.code == "circulo_unavailable" ? .badGateway : .unprocessableContent, code: error.code, message: error.message)
        }
        let now = clock()
        let id = APIClients.timeOrderedID("rep_", at: now)
        let score = outcome.report?.ficoScore
        let kind = outcome.report == nil ? "sin_historial" : "reporte"
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO bureau_reports (id, lender_id, client_id, authorization_id, bureau, folio, score, outcome, report, queried_at, queried_by)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: clientID), \(bind: authorization), 'circulo', \(bind: outcome.report?.folioConsulta), \(bind: score),
                        \(bind: kind), \(bind: keys.cipher.encrypt(String(decoding: outcome.body, as: UTF8.self), field: Self.reportField)), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "bureau.queried", objectType: "client", objectID: clientID, at: now,
                                     change: "\(id) círculo folio \(outcome.report?.folioConsulta ?? "-") \(kind) autorización \(authorization)"),
                on: db
            )
        }
        return Report(
            id: id, clientId: clientID, authorizationId: authorization, bureau: "circulo", folio: outcome.report?.folioConsulta, score: score, outcome: kind,
            variables: Self.variables(outcome.report, today: today), queriedAt: now, queriedBy: actor.id
        )
    }

    /// The lender's folio for the query (Círculo takes at most 25 characters): the authorisation's id without its
    /// prefix, 20 characters (its time and random part), upper case.
    static func folio(_ authorizationID: String) -> String { String(authorizationID.dropFirst(4).prefix(20)).uppercased() }

    static func variables(_ report: CirculoReport?, today: CalendarDate) -> [String: String] {
        report?.scoringVariables(today: today) ?? ["circulo_score": "sin_historial"]
    }

    /// The client's queries, newest first.
    public func reports(clientID: String, lenderID: String) async throws -> [Report] {
        try await database.withConnection { db in try await Self.reports(clientID: clientID, lenderID: lenderID, keys: keys, limit: 100, on: db) }
    }

    static func reports(clientID: String, lenderID: String, keys: LiveKeys, limit: Int, on db: any SQLDatabase) async throws -> [Report] {
        let rows = try await db.raw(
            """
            SELECT id, authorization_id, folio, score, outcome, report, queried_at, queried_by FROM bureau_reports
            WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID) ORDER BY queried_at DESC, id DESC LIMIT \(literal: limit)
            """
        ).all()
        return try rows.map { row in
            let queriedAt = Timestamp(text: try row.decode(column: "queried_at", as: String.self)) ?? Timestamp(millisecondsSince1970: 0)
            let body = try keys.decrypt(try row.decode(column: "report", as: String.self), field: reportField)
            let stored = try row.decode(column: "outcome", as: String.self)
            let report = try? JSONDecoder().decode(CirculoReport.self, from: Data(body.utf8))
            // A report kept but no longer readable is not «sin historial»: it gives the score nothing.
            let outcome = stored == "reporte" && report == nil ? "ilegible" : stored
            return Report(
                id: try row.decode(column: "id", as: String.self), clientId: clientID, authorizationId: try row.decode(column: "authorization_id", as: String.self),
                bureau: "circulo", folio: try row.decode(column: "folio", as: String?.self), score: try row.decode(column: "score", as: Int?.self), outcome: outcome,
                variables: outcome == "ilegible" ? [:] : variables(outcome == "reporte" ? report : nil, today: queriedAt.calendarDate(utcOffsetSeconds: -6 * 3600)),
                queriedAt: queriedAt, queriedBy: try row.decode(column: "queried_by", as: String.self)
            )
        }
    }

    /// The variables of the client's newest report, when it is at most `maximumAgeDays` old (for the origination score).
    static func latestVariables(clientID: String, lenderID: String, keys: LiveKeys, today: CalendarDate, maximumAgeDays: Int64 = 90, on db: any SQLDatabase) async throws -> [String: String] {
        guard let latest = try await reports(clientID: clientID, lenderID: lenderID, keys: keys, limit: 1, on: db).first,
              latest.queriedAt.calendarDate(utcOffsetSeconds: -6 * 3600).days(until: today) <= maximumAgeDays
        else { return [:] }
        return latest.variables
    }
}
