import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import Hummingbird
import SQLKit
import Store

/// The compliance officer's pages (`compliance:read` to see, `compliance:manage` to act): list matches to review, cases
/// from detection to the UIF report, and the numbers to watch. Every action is audited by the services it calls.
struct CompliancePages {
    let web: WebRouter
    let database: Database
    let screening: ClientScreening
    let cases: ComplianceCases
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    static func shortTime(_ timestamp: Timestamp) -> String { String(timestamp.text.prefix(16)).replacingOccurrences(of: "T", with: " ") }

    func add() {
        let pages = web.pages
        let (database, screening, cases, keys, clock) = (database, screening, cases, keys, clock)

        @Sendable func dashboard(_ request: WebRequest, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let hits = try await screening.hits(status: .pending, lenderID: user.lenderID)
            // Every case counts; the table shows the first 200 (the open ones first, by deadline).
            let all = try await cases.list(lenderID: user.lenderID, limit: 1_000_000)
            let today = clock().calendarDate(utcOffsetSeconds: -6 * 3600)
            let quarterStart = CalendarDate(year: today.year, month: (today.month - 1) / 3 * 3 + 1, day: 1)!
            let (relevantes, gaps, suspended) = try await database.withConnection { db in
                (
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM compliance_alerts a JOIN compliance_operations o ON o.id = a.operation_id
                        WHERE a.lender_id = \(bind: user.lenderID) AND a.report = 'relevante' AND a.operation_date >= \(bind: quarterStart.text) AND o.reversed_at IS NULL
                        """
                    ).first(decodingColumn: "n", as: Int.self) ?? 0,
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM compliance_alerts WHERE lender_id = \(bind: user.lenderID) AND report = 'dato_faltante' AND resolved_at IS NULL"
                    ).first(decodingColumn: "n", as: Int.self) ?? 0,
                    try await db.raw(
                        "SELECT COUNT(DISTINCT client_id) AS n FROM client_holds WHERE lender_id = \(bind: user.lenderID) AND lifted_at IS NULL"
                    ).first(decodingColumn: "n", as: Int.self) ?? 0
                )
            }
            let canManage = user.role.allows(.manageCompliance)
            var values: [String: Any] = [
                "pendingHits": hits.count, "openCases": all.filter { $0.status == .open || $0.status == .analysis }.count,
                "dueSoon": all.filter { $0.urgency == .dueSoon }.count, "overdue": all.filter { $0.urgency == .overdue }.count,
                "toFile": all.filter { $0.status == .decided && $0.decision == .reportable }.count,
                "quarter": "\(today.year)T\((today.month - 1) / 3 + 1)", "relevantes": relevantes, "gaps": gaps, "suspended": suspended,
                "hits": hits.map { hit -> [String: Any] in
                    [
                        "id": hit.id, "role": hit.role.label, "subject": hit.subjectName, "client": hit.clientId, "entry": hit.entryName, "list": hit.list,
                        "entryId": hit.entryId, "purpose": hit.purpose.label, "reason": hit.reason, "matched": hit.matchedName,
                        "score": String(format: "%.3f", hit.score), "found": Self.shortTime(hit.foundAt), "occasion": hit.occasion == .onboarding ? "alta" : hit.occasion == .listUpdate ? "actualización de lista" : hit.occasion == .payment ? "pago recibido" : "a solicitud",
                        "canManage": canManage,
                    ]
                },
                "groups": try await ClientRelationships(database: database, keys: keys, clock: clock).groups(lenderID: user.lenderID, limit: 20).map {
                    ["id": $0.componentId, "size": $0.size, "flagged": $0.linkedHighRisk] as [String: Any]
                },
                "cases": all.prefix(200).map { record -> [String: Any] in
                    [
                        "id": record.id, "kind": record.kind.label, "status": record.status.label + (record.decision.map { " (\($0.label.lowercased()))" } ?? ""),
                        "detected": Self.shortTime(record.detectedAt), "due": Self.shortTime(record.dueAt), "urgency": record.urgency.label, "client": record.clientId ?? record.subject ?? "",
                    ]
                },
            ]
            if let notice = request.query("aviso") {
                values["notice"] = [
                    "confirmada": "Coincidencia confirmada.", "confirmada-suspendido": "Coincidencia confirmada: se suspendieron las operaciones del cliente y se abrió un caso.",
                    "descartada": "Coincidencia descartada.",
                ][notice]
            }
            return pages.render("compliance", title: "Cumplimiento", web: request, values: values, error: error, status: status, current: "/cumplimiento")
        }

        web.get("/cumplimiento", .permission(.readCompliance)) { request in
            try await dashboard(request)
        }

        // The reports generated (UIF files and Buró tapes), from the audit log: when, who, which, and whether it validated.
        web.get("/cumplimiento/reportes", .permission(.readCompliance)) { request in
            let entries = try await database.withConnection { db in
                try await AuditLog.search(AuditLog.Filter(action: "compliance.uif_report_generated"), limit: 200, on: db)
                    + AuditLog.search(AuditLog.Filter(action: "bureau.tape_generated"), limit: 200, on: db)
            }.sorted { $0.sequence > $1.sequence }
            let rows = entries.map { entry -> [String: Any] in
                let parts = entry.objectID.split(separator: ":").map(String.init)
                return [
                    "at": Self.shortTime(entry.occurredAt), "actor": entry.actorID,
                    "report": entry.action == "bureau.tape_generated" ? "Cinta de Buró de Crédito" : "UIF: \(parts.first ?? "")",
                    "period": entry.action == "bureau.tape_generated" ? entry.objectID : (parts.count > 1 ? parts[1] : ""),
                    "outcome": entry.outcome == .success ? "Generado" : "Con errores de validación (no se generó)", "ok": entry.outcome == .success,
                    "digest": String(entry.changeDigest.prefix(16)),
                ]
            }
            return pages.render("compliance_reports", title: "Reportes generados", web: request, values: ["reports": rows], current: "/cumplimiento")
        }

        web.post("/cumplimiento/coincidencias/:id", .permission(.manageCompliance)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            let decision = request.field("decision")
            guard decision == "confirmar" || decision == "descartar" else {
                return try await dashboard(request, error: "Elija «Es la persona» o «No es».", status: .unprocessableContent)
            }
            do {
                let review = try await screening.review(id, confirm: decision == "confirmar", note: request.field("nota"), lenderID: user.lenderID, actor: request.actor)
                let notice = review.hit.status == .dismissed ? "descartada" : review.suspended ? "confirmada-suspendido" : "confirmada"
                return WebPages.redirect(to: "/cumplimiento?aviso=\(notice)")
            } catch let error as APIError {
                return try await dashboard(request, error: error.message, status: error.status)
            }
        }

        @Sendable func detail(_ request: WebRequest, id: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let found: ComplianceCases.Detail
            do { found = try await cases.detail(id, lenderID: user.lenderID) } catch let error as APIError where error.code == "case_not_found" {
                return pages.message(title: "Caso no encontrado", message: error.message, web: request, status: .notFound, next: ("/cumplimiento", "Ir a cumplimiento"))
            }
            let record = found.record
            var values: [String: Any] = [
                "id": record.id, "kind": record.kind.label, "status": record.status.label, "decision": record.decision?.label ?? "",
                "detected": Self.shortTime(record.detectedAt), "due": Self.shortTime(record.dueAt), "urgency": record.urgency.label,
                "filingDue": record.status == .decided ? record.filingDue?.text ?? "" : "", "client": record.clientId ?? "", "subject": record.subject ?? "",
                "summary": record.summary, "decisionNote": record.decisionNote ?? "", "reference": record.reportReference ?? "",
                "canManage": user.role.allows(.manageCompliance), "canAnalyze": record.status == .open, "canDecide": record.status == .analysis,
                "canReport": record.status == .decided && record.decision == .reportable,
                "alerts": found.alerts.map { ["rule": $0.rule, "operation": $0.operationId, "observed": $0.observed, "limit": $0.limit, "message": $0.message] },
                "events": found.events.map { event -> [String: Any] in
                    ["at": Self.shortTime(event.at), "actor": event.actor, "step": (event.fromStatus.map { "\($0.label) → " } ?? "") + event.toStatus.label, "note": event.note ?? ""]
                },
            ]
            if request.query("aviso") != nil { values["notice"] = "Paso registrado." }
            return pages.render("compliance_case", title: "Caso \(record.id)", web: request, values: values, error: error, status: status, current: "/cumplimiento")
        }

        web.get("/cumplimiento/casos/:id", .permission(.readCompliance)) { request in
            guard let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/cumplimiento") }
            return try await detail(request, id: id)
        }

        web.post("/cumplimiento/casos/:id", .permission(.manageCompliance)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            let step: CaseWorkflow.Step
            switch request.field("paso") {
            case "analizar": step = .startAnalysis
            case "dictaminar":
                guard let decision = CaseWorkflow.Decision(rawValue: request.field("decision")) else {
                    return try await detail(request, id: id, error: "Elija «Reportable» o «No reportable».", status: .unprocessableContent)
                }
                step = .decide(decision)
            case "reportar": step = .report
            default: return try await detail(request, id: id, error: "Paso desconocido.", status: .unprocessableContent)
            }
            do {
                _ = try await cases.advance(id, step: step, note: request.field("nota"), reference: request.field("folio"), lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/cumplimiento/casos/\(id)?aviso=paso")
            } catch let error as APIError {
                return try await detail(request, id: id, error: error.message, status: error.status)
            }
        }
    }
}
