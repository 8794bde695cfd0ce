import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import SQLKit
import Store

/// `/auditoria`: the audit log, newest first, filtered by date, actor, action and outcome.
struct AuditViewerRoutes {
    let web: WebRouter
    let database: Database
    static let pageSize = 100

    func add() {
        let database = database
        let pages = web.pages
        web.get("/auditoria", .permission(.readAudit)) { request in
            var filter = AuditLog.Filter()
            var problems: [String] = []
            if let text = request.query("desde") {
                if let day = Self.day(text) { filter.from = day } else { problems.append("la fecha «desde»") }
            }
            if let text = request.query("hasta") {
                if let day = Self.day(text) { filter.until = day.adding(seconds: 86_400) } else { problems.append("la fecha «hasta»") }
            }
            if let action = request.query("accion") { filter.action = String(action.prefix(64)) }
            if let outcome = request.query("resultado") { filter.outcome = AuditEntry.Outcome(rawValue: outcome) }
            if let before = request.query("antes") { filter.before = Int64(before) }
            let actor = request.query("actor").map { String($0.prefix(128)) }
            if let actor {
                // People search by user name; the log records user ids. Match either.
                let ids = try await database.withConnection { db in
                    try await db.raw("SELECT id FROM users WHERE username = \(bind: actor.lowercased())").all(decodingColumn: "id", as: String.self)
                }
                filter.actorIDs = [actor] + ids
            }
            // PLD work is confidential: outside compliance (and auditors) its entries are not shown.
            let confidential = !(request.user?.role.allows(.readCompliance) ?? false)
            if confidential { filter.excludedActions = Self.complianceActions }
            let search = filter
            let (entries, usernames) = try await database.withConnection { db in
                let entries = try await AuditLog.search(search, limit: Self.pageSize, on: db)
                // Show user names instead of user ids.
                let ids = Array(Set(entries.filter { $0.actorKind == .user || $0.objectType == "user" }.flatMap { [$0.actorID, $0.objectID] }))
                var names: [String: String] = [:]
                if !ids.isEmpty {
                    for row in try await db.select().columns("id", "username").from("users").where("id", .in, ids).all() {
                        names[try row.decode(column: "id", as: String.self)] = try row.decode(column: "username", as: String.self)
                    }
                }
                return (entries, names)
            }
            var values: [String: Any] = [
                "entries": entries.map { Self.row($0, usernames: usernames) },
                "filter": [
                    "desde": request.query("desde") ?? "", "hasta": request.query("hasta") ?? "", "actor": actor ?? "",
                    "accion": filter.action ?? "",
                ],
                "outcomes": [("", "Todos")] .map { ["value": $0.0, "label": $0.1, "selected": filter.outcome == nil] }
                    + Self.outcomeLabels.map { outcome, label in ["value": outcome.rawValue, "label": label, "selected": filter.outcome == outcome] },
            ]
            if entries.count == Self.pageSize, let last = entries.last {
                let encode = { (text: Substring) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
                var items = request.request.uri.queryParameters.filter { $0.key != "antes" }.map { "\(encode($0.key))=\(encode($0.value))" }
                items.append("antes=\(last.sequence)")
                values["older"] = "/auditoria?" + items.joined(separator: "&")
            }
            if confidential { values["confidential"] = true }
            return pages.render(
                "audit", title: "Auditoría", web: request, values: values,
                error: problems.isEmpty ? nil : "No se entendió \(problems.joined(separator: " ni ")): use el formato AAAA-MM-DD.",
                current: "/auditoria"
            )
        }
    }

    /// Entries only compliance and auditors read: list matches, cases, alerts, reports, suspensions and risk grades.
    static let complianceActions = ["compliance", "client.suspended", "client.suspension_lifted", "client.risk_graded", "client.risk_facts_declared"]

    static let outcomeLabels: [(AuditEntry.Outcome, String)] = [
        (.success, "Éxito"), (.failure, "Fallo"), (.denied, "Denegado"), (.error, "Error del servidor"),
    ]

    static func row(_ entry: AuditEntry, usernames: [String: String]) -> [String: Any] {
        let actor = entry.actorKind == .user ? usernames[entry.actorID] ?? entry.actorID : entry.actorID
        let object = entry.objectType == "user" ? usernames[entry.objectID] ?? entry.objectID : entry.objectID
        return [
            "sequence": entry.sequence,
            "occurredAt": entry.occurredAt.text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
            "actorKind": actorLabel(entry.actorKind), "actorID": actor, "ipAddress": entry.ipAddress, "action": entry.action,
            "objectType": entry.objectType, "objectID": object, "outcome": entry.outcome.rawValue,
            "outcomeLabel": outcomeLabels.first { $0.0 == entry.outcome }?.1 ?? entry.outcome.rawValue, "requestID": entry.requestID,
        ]
    }

    static func actorLabel(_ kind: AuditEntry.ActorKind) -> String {
        switch kind {
        case .user: "usuario"
        case .apiClient: "cliente API"
        case .system: "sistema"
        case .anonymous: "anónimo"
        }
    }

    /// `YYYY-MM-DD` as the start of that day (UTC).
    static func day(_ text: String) -> Timestamp? {
        guard text.count == 10, let start = Timestamp(text: text + "T00:00:00.000Z"), start.text.hasPrefix(text) else { return nil }
        return start
    }
}
