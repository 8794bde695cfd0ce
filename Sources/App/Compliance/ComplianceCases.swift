import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store

/// PLD cases: alerts (monitoring rules, confirmed list matches, staff reports) under analysis until the committee decides
/// and the report is filed, each step with who took it and why, audited, against the deadline from detection.
public struct ComplianceCases: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// A case as stored, with its deadline standing now.
    public struct Record: Sendable, Codable, Equatable {
        public let id: String
        public let kind: CaseWorkflow.Kind
        public let clientId: String?
        /// Who the case is about when not a client (an employee, for an interna preocupante).
        public let subject: String?
        /// What raised it: `regla:fraccionamiento`, `lista:LPB:sh_…`, `manual`.
        public let origin: String
        public let summary: String
        public let status: CaseWorkflow.Status
        public let detectedAt: Timestamp
        public let dueAt: Timestamp
        public let urgency: CaseWorkflow.Urgency
        public let decision: CaseWorkflow.Decision?
        public let decisionNote: String?
        public let decidedAt: Timestamp?
        public let decidedBy: String?
        /// For a reportable case: the last day to file it (three business days after the decision).
        public let filingDue: CalendarDate?
        public let reportedAt: Timestamp?
        public let reportedBy: String?
        public let reportReference: String?
    }

    /// One step of a case's history.
    public struct Event: Sendable, Codable, Equatable {
        public let sequence: Int
        public let at: Timestamp
        public let actor: String
        public let fromStatus: CaseWorkflow.Status?
        public let toStatus: CaseWorkflow.Status
        public let note: String?
    }

    /// An alert grouped in a case.
    public struct Alert: Sendable, Codable, Equatable {
        public let rule: String
        public let operationId: String
        public let observed: String
        public let limit: String
        public let message: String
        public let detectedAt: Timestamp
    }

    /// A case with its history and alerts.
    public struct Detail: Sendable, Codable, Equatable {
        public let record: Record
        public let events: [Event]
        public let alerts: [Alert]
    }

    static let notFound = APIError(status: .notFound, code: "case_not_found", message: "No existe ese caso. Revise el identificador en la lista de casos.")

    /// Opens a case inside the caller's transaction and returns its id.
    public func open(
        kind: CaseWorkflow.Kind, clientID: String?, subject: String?, origin: String, summary: String, detectedAt: Timestamp,
        lenderID: String, actor: Administration.Actor, on db: any SQLDatabase
    ) async throws -> String {
        let cipher = keys.cipher
        return try await Self.insert(
            kind: kind, clientID: clientID, storedSubject: subject.map { cipher.encrypt($0, field: "compliance_cases.subject") }, origin: origin,
            storedSummary: cipher.encrypt(summary, field: "compliance_cases.summary"), detectedAt: detectedAt, lenderID: lenderID, actor: actor, now: clock(), on: db
        )
    }

    /// Writes a new case, its first event and its audit entry; subject and summary as they are to be stored (a summary
    /// the monitoring rules wrote, with amounts and dates but no names, may be stored as it is until a key rotation).
    static func insert(
        kind: CaseWorkflow.Kind, clientID: String?, storedSubject: String?, origin: String, storedSummary: String, detectedAt: Timestamp,
        lenderID: String, actor: Administration.Actor, now: Timestamp, on db: any SQLDatabase
    ) async throws -> String {
        let id = "cs_" + APIClients.randomHex(bytes: 10)
        try await db.raw(
            """
            INSERT INTO compliance_cases (id, lender_id, kind, client_id, subject, origin, summary, status, detected_at, due_at, row_version, updated_at)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: kind.rawValue), \(bind: clientID), \(bind: storedSubject), \(bind: origin), \(bind: storedSummary),
                    \(bind: CaseWorkflow.Status.open.rawValue), \(bind: detectedAt.text), \(bind: CaseWorkflow.due(kind: kind, detectedAt: detectedAt).text), 1,
                    \(bind: now.text))
            """
        ).run()
        try await appendEvent(caseID: id, sequence: 1, from: nil, to: .open, storedNote: nil, actor: actor, at: now, on: db)
        try await AuditLog.append(
            Administration.entry(actor: actor, action: "compliance.case_opened", objectType: "compliance_case", objectID: id, at: now, change: "\(kind.rawValue) \(origin)"),
            on: db
        )
        return id
    }

    /// Manually opens a case: an interna preocupante about an employee, or an inusual a staff member detected.
    public func report(
        kind: CaseWorkflow.Kind, clientID: String?, subject: String?, summary: String, lenderID: String, actor: Administration.Actor
    ) async throws -> Record {
        let summary = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard summary.count >= 10 else {
            throw APIError(status: .unprocessableContent, code: "summary_required", message: "Describa qué se detectó (al menos 10 caracteres): hechos, fechas y personas.")
        }
        guard !CardNumberDetector.containsCardNumber(summary) else {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en la descripción.")
        }
        if kind == .internalConcern, (subject ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw APIError(status: .unprocessableContent, code: "subject_required", message: "Indique el empleado, directivo o representante de quien trata la operación interna preocupante.")
        }
        if kind != .internalConcern, clientID == nil {
            throw APIError(status: .unprocessableContent, code: "client_required", message: "Indique el cliente de la operación inusual.")
        }
        return try await database.transaction { db in
            if let clientID, try await db.raw("SELECT id FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)").first() == nil {
                throw APIError(status: .unprocessableContent, code: "client_not_found", message: "No existe ese cliente.")
            }
            let id = try await open(
                kind: kind, clientID: clientID, subject: subject, origin: "manual", summary: summary, detectedAt: clock(), lenderID: lenderID, actor: actor, on: db
            )
            return try await load(id, lenderID: lenderID, on: db)
        }
    }

    /// Takes `step` on a case: to analysis, the committee's decision (a note is required), or the filing (the UIF's
    /// acknowledgement or the file's folio is required).
    public func advance(_ id: String, step: CaseWorkflow.Step, note: String?, reference: String? = nil, lenderID: String, actor: Administration.Actor) async throws -> Record {
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let reference = reference?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if let note, CardNumberDetector.containsCardNumber(note) {
            throw APIError(status: .unprocessableContent, code: "card_number_in_text", message: "No escriba números de tarjeta en las notas.")
        }
        if case .decide = step, note == nil {
            throw APIError(status: .unprocessableContent, code: "decision_note_required", message: "Escriba el dictamen: qué se analizó y por qué el comité decidió así.")
        }
        if case .report = step {
            guard let reference, reference.count <= 80 else {
                throw APIError(status: .unprocessableContent, code: "report_reference_required", message: "Indique el folio o acuse de la UIF del reporte enviado (hasta 80 caracteres).")
            }
        }
        let now = clock()
        let cipher = keys.cipher
        return try await database.transaction { db in
            let current = try await load(id, lenderID: lenderID, on: db)
            let next: CaseWorkflow.Status
            switch CaseWorkflow.next(from: current.status, decision: current.decision, step: step) {
            case .success(let status): next = status
            case .failure(let refused): throw APIError(status: .conflict, code: refused.code, message: refused.message)
            }
            var assignments: [SQLQueryString] = ["status = \(bind: next.rawValue)"]
            switch step {
            case .startAnalysis: break
            case .decide(let decision):
                assignments += [
                    "decision = \(bind: decision.rawValue)", "decision_note = \(bind: note.map { cipher.encrypt($0, field: "compliance_cases.decision_note") })",
                    "decided_at = \(bind: now.text)", "decided_by = \(bind: actor.id)",
                ]
            case .report:
                assignments += ["reported_at = \(bind: now.text)", "reported_by = \(bind: actor.id)", "report_reference = \(bind: reference)"]
            }
            let updated = try await db.raw(
                """
                UPDATE compliance_cases SET \(assignments.joined(separator: ", ")), row_version = row_version + 1, updated_at = \(bind: now.text)
                WHERE id = \(bind: id) AND status = \(bind: current.status.rawValue) RETURNING id
                """
            ).first()
            guard updated != nil else {
                throw APIError(status: .conflict, code: "case_changed", message: "Otra persona cambió el caso al mismo tiempo. Vuelva a abrirlo y revise su estado.")
            }
            let sequence = try await db.raw("SELECT MAX(sequence) AS last FROM compliance_case_events WHERE case_id = \(bind: id)").first(decodingColumn: "last", as: Int?.self) ?? 0
            let stored = (note ?? reference).map { cipher.encrypt($0, field: "compliance_case_events.note") }
            try await Self.appendEvent(caseID: id, sequence: (sequence ?? 0) + 1, from: current.status, to: next, storedNote: stored, actor: actor, at: now, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "compliance.case_\(next.rawValue)", objectType: "compliance_case", objectID: id, at: now, change: "\(current.status.rawValue)→\(next.rawValue) \(note ?? "") \(reference ?? "")"),
                on: db
            )
            return try await load(id, lenderID: lenderID, on: db)
        }
    }

    static func appendEvent(
        caseID: String, sequence: Int, from: CaseWorkflow.Status?, to: CaseWorkflow.Status, storedNote: String?, actor: Administration.Actor, at now: Timestamp,
        on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO compliance_case_events (id, case_id, sequence, at, actor, from_status, to_status, note)
            VALUES (\(bind: "ce_" + APIClients.randomHex(bytes: 10)), \(bind: caseID), \(bind: sequence), \(bind: now.text), \(bind: actor.id),
                    \(bind: from?.rawValue), \(bind: to.rawValue), \(bind: storedNote))
            """
        ).run()
    }

    /// A case with its history and alerts.
    public func detail(_ id: String, lenderID: String) async throws -> Detail {
        try await database.withConnection { db in
            let record = try await load(id, lenderID: lenderID, on: db)
            let events = try await db.raw(
                "SELECT sequence, at, actor, from_status, to_status, note FROM compliance_case_events WHERE case_id = \(bind: id) ORDER BY sequence"
            ).all().map { row in
                Event(
                    sequence: try row.decode(column: "sequence", as: Int.self), at: try Self.instant(row, "at"), actor: try row.decode(column: "actor", as: String.self),
                    fromStatus: try row.decode(column: "from_status", as: String?.self).flatMap(CaseWorkflow.Status.init(rawValue:)),
                    toStatus: CaseWorkflow.Status(rawValue: try row.decode(column: "to_status", as: String.self)) ?? .open,
                    note: try row.decode(column: "note", as: String?.self).map { try keys.decrypt($0, field: "compliance_case_events.note") }
                )
            }
            let alerts = try await db.raw(
                "SELECT rule, operation_id, observed, limit_value, message, detected_at FROM compliance_alerts WHERE case_id = \(bind: id) ORDER BY detected_at, id"
            ).all().map { row in
                Alert(
                    rule: try row.decode(column: "rule", as: String.self), operationId: try row.decode(column: "operation_id", as: String.self),
                    observed: try row.decode(column: "observed", as: String.self), limit: try row.decode(column: "limit_value", as: String.self),
                    message: try row.decode(column: "message", as: String.self), detectedAt: try Self.instant(row, "detected_at")
                )
            }
            return Detail(record: record, events: events, alerts: alerts)
        }
    }

    /// Cases, the most urgent first (open ones by deadline, then the rest newest first); `status` narrows them.
    public func list(status: CaseWorkflow.Status? = nil, lenderID: String, limit: Int = 200) async throws -> [Record] {
        let filter: SQLQueryString = status.map { " AND status = \(bind: $0.rawValue)" } ?? ""
        return try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM compliance_cases WHERE lender_id = \(bind: lenderID)\(filter)
                ORDER BY CASE WHEN status IN ('abierto', 'en_analisis') THEN 0 ELSE 1 END, due_at, id LIMIT \(literal: limit)
                """
            ).all().map(decode)
        }
    }

    static let columns = """
        id, kind, client_id, subject, origin, summary, status, detected_at, due_at, decision, decision_note, decided_at, decided_by, reported_at, reported_by, report_reference
        """

    func load(_ id: String, lenderID: String, on db: any SQLDatabase) async throws -> Record {
        guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM compliance_cases WHERE id = \(bind: id) AND lender_id = \(bind: lenderID)").first() else {
            throw Self.notFound
        }
        return try decode(row)
    }

    func decode(_ row: any SQLRow) throws -> Record {
        let kind = CaseWorkflow.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .unusual
        let status = CaseWorkflow.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .open
        let due = try Self.instant(row, "due_at")
        let decision = try row.decode(column: "decision", as: String?.self).flatMap(CaseWorkflow.Decision.init(rawValue:))
        let decidedAt = try row.decode(column: "decided_at", as: String?.self).flatMap(Timestamp.init(text:))
        return Record(
            id: try row.decode(column: "id", as: String.self), kind: kind, clientId: try row.decode(column: "client_id", as: String?.self),
            subject: try row.decode(column: "subject", as: String?.self).map { try keys.decrypt($0, field: "compliance_cases.subject") },
            origin: try row.decode(column: "origin", as: String.self),
            summary: try keys.readable(try row.decode(column: "summary", as: String.self), field: "compliance_cases.summary"),
            status: status, detectedAt: try Self.instant(row, "detected_at"), dueAt: due,
            urgency: CaseWorkflow.urgency(kind: kind, status: status, decision: decision, due: due, now: clock()),
            decision: decision,
            decisionNote: try row.decode(column: "decision_note", as: String?.self).map { try keys.decrypt($0, field: "compliance_cases.decision_note") },
            decidedAt: decidedAt, decidedBy: try row.decode(column: "decided_by", as: String?.self),
            filingDue: decision == .reportable ? decidedAt.map { CaseWorkflow.filingDue(decidedOn: $0.calendarDate(utcOffsetSeconds: -6 * 3600)) } : nil,
            reportedAt: try row.decode(column: "reported_at", as: String?.self).flatMap(Timestamp.init(text:)),
            reportedBy: try row.decode(column: "reported_by", as: String?.self), reportReference: try row.decode(column: "report_reference", as: String?.self)
        )
    }

    static func instant(_ row: any SQLRow, _ column: String) throws -> Timestamp {
        Timestamp(text: try row.decode(column: column, as: String.self)) ?? Timestamp(millisecondsSince1970: 0)
    }
}
