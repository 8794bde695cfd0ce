import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import LoanCollections
import SQLKit
import Store

/// Collection work pages: every message written (`/cobranza/mensajes`) and a loan's collection file
/// (`/cobranza/creditos/{id}`) with its client's contact consents, holds, promises to pay and messages; gestores and
/// administrators pause collection, record promises and consents there.
struct CollectionWorkPages {
    let web: WebRouter
    let database: Database
    let keys: LiveKeys
    let book: LoanBook
    let directory: ClientDirectory
    let contacts: ContactBook

    static let stateLabels: [(String, String)] = [
        ("scheduled", "Programado"), ("sending", "Enviándose"), ("sent", "Enviado"), ("delivered", "Entregado"), ("read", "Leído"),
        ("undelivered", "No entregado"), ("failed", "Falló"), ("refused", "No enviado"), ("canceled", "Cancelado"), ("unknown", "Por revisar en el proveedor"),
        ("call_pending", "Llamada pendiente"),
    ]

    func add() {
        let pages = web.pages
        let database = database
        let keys = keys
        let contacts = contacts
        let book = book
        let file = CollectionFile(pages: pages, database: database, keys: keys, book: book, directory: directory, contacts: contacts)

        web.get("/cobranza/mensajes", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let state = request.query("estado").flatMap { value in Self.stateLabels.contains { $0.0 == value } ? value : nil }
            let filter: SQLQueryString = state.map { " AND state = \(bind: $0)" } ?? ""
            let rows = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT loan_id, channel, template_key, recipient, send_after, state, error_message FROM collection_messages
                    WHERE lender_id = \(bind: user.lenderID)\(filter) ORDER BY created_at DESC, id DESC LIMIT 300
                    """
                ).all()
            }
            let values: [String: Any] = [
                "states": Self.stateLabels.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == state] },
                "rows": try rows.map { row -> [String: Any] in try Self.messageRow(row, keys: keys) },
            ]
            return pages.render("collection_messages", title: "Mensajes de cobranza", web: request, values: values, current: "/cobranza")
        }

        let worklist = CollectionWorklist(database: database, directory: directory, book: book)
        let assignments = CollectionAssignments(database: database, keys: keys)
        // A supervisor shares the unassigned accounts that owe (in the worklist's order) among the gestores chosen.
        web.post("/cobranza/gestion/repartir", .permission(.assignCollections)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            // One checkbox per gestor (gestor_<id>).
            let chosen = try await assignments.gestores(lenderID: user.lenderID).map(\.id).filter { request.field("gestor_\($0)") == "1" }
            do {
                let pool = try await worklist.list(lenderID: user.lenderID, limit: Int.max, scope: .unassigned).entries.map(\.snapshot.loanID)
                guard !pool.isEmpty else { throw CollectionRefusal("nothing_to_share", "No hay cuentas sin gestor que repartir.") }
                let shared = try await assignments.distribute(pool, among: chosen, lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/cobranza/gestion?repartidas=\(shared.values.reduce(0, +))")
            } catch let error as CollectionRefusal {
                return pages.message(title: "Gestión de cobranza", message: error.message, web: request, status: .unprocessableContent, next: ("/cobranza/gestion", "Volver a la gestión"))
            }
        }
        web.post("/cobranza/creditos/:id/gestor", .permission(.assignCollections)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            let gestor = request.field("gestor")
            do {
                try await assignments.assign([id], to: gestor.isEmpty ? nil : gestor, lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/cobranza/creditos/\(id)?aviso=gestor")
            } catch let error as CollectionRefusal {
                return try await file.render(request, loanID: id, lenderID: user.lenderID, canManage: true, error: error.message)
            }
        }
        let directory = directory
        web.get("/cobranza/gestion", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let supervisor = user.role.allows(.assignCollections)
            let gestores = try await assignments.gestores(lenderID: user.lenderID)
            let names = Dictionary(uniqueKeysWithValues: gestores.map { ($0.id, $0.name) })
            // Supervisors see every account (or one gestor's, or the unassigned); a gestor sees theirs and the pool.
            let filter = request.query("gestor") ?? ""
            let scope: CollectionWorklist.Scope = !supervisor ? .workableBy(user.id) : filter == "sin" ? .unassigned : filter.isEmpty ? .all : .assignedTo(filter)
            let list = try await worklist.list(lenderID: user.lenderID, scope: scope)
            guard let date = list.date else {
                return pages.render("collection_worklist", title: "Gestión de cobranza", web: request, values: ["empty": true], current: "/cobranza")
            }
            var rows: [[String: Any]] = []
            for entry in list.entries {
                let contact = entry.lastContact.map { "\($0.outcome.label) (\($0.at.prefix(10)))" } ?? "—"
                rows.append([
                    "loan": entry.snapshot.loanID, "client": (try? await directory.get(id: entry.snapshot.clientID))??.displayName ?? entry.snapshot.clientID,
                    "segment": entry.segment.label, "dpd": entry.snapshot.daysPastDue,
                    "amount": Money(minorUnits: entry.snapshot.amountDue, currency: .mxn).formatted(.symbol),
                    "risk": entry.probability.map { String(format: "%.0f %%", $0 * 100) } ?? "—", "reasons": entry.reasons.joined(separator: "; "),
                    "contact": contact, "next": entry.nextAction, "gestor": entry.assignee.map { names[$0] ?? $0 } ?? "Sin asignar",
                ])
            }
            var values: [String: Any] = [
                "date": date.text, "total": list.total, "rows": rows, "supervisor": supervisor,
                "gestores": gestores.map { ["id": $0.id, "name": $0.name, "selected": $0.id == filter] }, "unassignedSelected": filter == "sin",
                "scope": supervisor ? (filter == "sin" ? "las cuentas sin gestor" : filter.isEmpty ? "todas las cuentas" : "las cuentas de \(names[filter] ?? filter)") : "sus cuentas y las que no tienen gestor",
            ]
            if let version = list.modelVersion { values["model"] = ["version": version, "auc": list.modelAUC.map { String(format: "%.3f", $0) } ?? "—"] }
            let shared = request.query("repartidas").flatMap { Int($0) }.map { "Se repartieron \($0) cuentas." }
            return pages.render("collection_worklist", title: "Gestión de cobranza", web: request, values: values, notice: shared, current: "/cobranza")
        }

        web.get("/cobranza/creditos/:id", .permission(.readLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await file.render(request, loanID: id, lenderID: user.lenderID, canManage: user.role.allows(.manageCollections))
        }

        action("consentimiento") { request, id, user in
            guard let channel = ContactChannel(rawValue: request.field("canal")), let state = ContactConsent(rawValue: request.field("estado")), state != .unknown else {
                throw CollectionRefusal("consent_invalid", "Elija el canal y si autoriza o se da de baja.")
            }
            let evidence = request.field("constancia")
            guard !evidence.isEmpty else { throw CollectionRefusal("evidence_required", "Anote la constancia (llamada, carta, folio) de la decisión del acreditado.") }
            let loan = try await book.loan(id, lenderID: user.lenderID)
            try await contacts.record(
                clientID: loan.clientId, lenderID: user.lenderID, channel: channel, state: state, source: .staff, evidence: String(evidence.prefix(300)), actor: request.actor
            )
            return "consentimiento"
        }
        action("contactos") { request, id, user in
            guard let channel = ContactChannel(rawValue: request.field("canal")), let outcome = ContactOutcome(rawValue: request.field("resultado")) else {
                throw CollectionRefusal("contact_invalid", "Elija el medio y el resultado del contacto.")
            }
            var next: CalendarDate?
            if !request.field("siguiente").isEmpty {
                guard let day = CalendarDate(text: request.field("siguiente")) else { throw CollectionRefusal("date_invalid", "La fecha del siguiente contacto no es válida.") }
                next = day
            }
            try await contacts.logContact(loanID: id, lenderID: user.lenderID, channel: channel, outcome: outcome, note: request.field("nota"), nextActionOn: next, actor: request.actor)
            return "contacto"
        }
        action("pausas") { request, id, user in
            guard let reason = HoldReason(rawValue: request.field("motivo")) else { throw CollectionRefusal("hold_reason_invalid", "Elija el motivo de la pausa.") }
            guard !request.field("nota").isEmpty else { throw CollectionRefusal("note_required", "Explique la pausa en la nota.") }
            try await contacts.placeHold(loanID: id, lenderID: user.lenderID, reason: reason, note: request.field("nota"), actor: request.actor)
            return "pausa"
        }
        web.post("/cobranza/creditos/:id/pausas/:hold/terminar", .permission(.manageCollections)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let hold = request.context.parameters.get("hold") else {
                return WebPages.redirect(to: "/login")
            }
            do {
                try await CollectionAssignments(database: database, keys: keys).checkMayWork(loanID: id, user: user)
                try await contacts.releaseHold(hold, lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/cobranza/creditos/\(id)?aviso=pausa_terminada")
            } catch let error as CollectionRefusal {
                return try await file.render(request, loanID: id, lenderID: user.lenderID, canManage: true, error: error.message)
            }
        }
        action("promesas") { request, id, user in
            let amount: Money
            do { amount = try Money(parsing: request.field("monto")) } catch { throw CollectionRefusal("amount_invalid", "Escriba el monto prometido, como 1250.00.") }
            guard let due = CalendarDate(text: request.field("fecha")) else { throw CollectionRefusal("date_invalid", "Elija la fecha prometida.") }
            guard let tolerance = Int(request.field("tolerancia").isEmpty ? "0" : request.field("tolerancia")) else {
                throw CollectionRefusal("tolerance_invalid", "Los días de tolerancia son un número de 0 a 30.")
            }
            try await contacts.promise(loanID: id, lenderID: user.lenderID, amount: amount, dueOn: due, toleranceDays: tolerance, today: book.today(), actor: request.actor)
            return "promesa"
        }
    }

    /// A form on a loan's collection file: on success back to the file with a notice, otherwise the file with the reason.
    func action(_ path: String, _ body: @escaping @Sendable (WebRequest, String, WebSessions.User) async throws -> String) {
        let file = CollectionFile(pages: web.pages, database: database, keys: keys, book: book, directory: directory, contacts: contacts)
        let assignments = CollectionAssignments(database: database, keys: keys)
        web.post(RouterPath(stringLiteral: "/cobranza/creditos/:id/\(path)"), .permission(.manageCollections)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                try await assignments.checkMayWork(loanID: id, user: user)
                let notice = try await body(request, id, user)
                return WebPages.redirect(to: "/cobranza/creditos/\(id)?aviso=\(notice)")
            } catch let error as CollectionRefusal {
                return try await file.render(request, loanID: id, lenderID: user.lenderID, canManage: true, error: error.message)
            }
        }
    }
}

/// A loan's collection file page.
struct CollectionFile: Sendable {
    let pages: WebPages
    let database: Database
    let keys: LiveKeys
    let book: LoanBook
    let directory: ClientDirectory
    let contacts: ContactBook

    func render(_ request: WebRequest, loanID: String, lenderID: String, canManage: Bool, error: String? = nil) async throws -> Response {
        let loan: LoanBook.Record
        do { loan = try await book.loan(loanID, lenderID: lenderID) } catch {
            return pages.message(title: "Cobranza", message: "No existe el crédito \(loanID).", web: request, status: .notFound, next: ("/cobranza/mensajes", "Mensajes de cobranza"))
        }
        let today = book.today()
        let (holds, promises, messages, contactRows) = try await database.withConnection { db in
            let holds = try await db.raw(
                "SELECT id, reason, note, created_at, released_at FROM collection_holds WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC"
            ).all()
            let promises = try await db.raw(
                "SELECT amount, due_on, tolerance_days, canceled_at FROM promises_to_pay WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC"
            ).all()
            let messages = try await db.raw(
                """
                SELECT loan_id, channel, template_key, recipient, send_after, state, error_message, due_date FROM collection_messages
                WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC LIMIT 200
                """
            ).all()
            let contacts = try await db.raw(
                """
                SELECT channel, outcome, note, next_action_on, recorded_at FROM collection_contacts WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID)
                ORDER BY recorded_at DESC, id DESC LIMIT 100
                """
            ).all()
            return (holds, promises, messages, contacts)
        }
        let states = try await database.withConnection { db in try await ContactBook.promiseStates(lenderID: lenderID, asOf: today, on: db) }
        let consents = try await contacts.consents(clientID: loan.clientId, lenderID: lenderID)
        let client = try await directory.get(id: loan.clientId)
        let stateNames: [PromiseToPay.State: String] = [.open: "Vigente", .kept: "Cumplida", .partiallyKept: "Cumplida en parte", .broken: "Incumplida", .canceled: "Cancelada"]
        var values: [String: Any] = [
            "loan": loanID, "client": client?.displayName ?? loan.clientId, "canManage": canManage,
            "consents": ContactChannel.allCases.map { channel -> [String: Any] in
                let state = consents[channel] ?? .unknown
                return ["channel": channel.label, "state": state == .granted ? "Autorizado" : state == .optedOut ? "Dado de baja" : "Sin consentimiento registrado"]
            },
            "channels": ContactChannel.allCases.map { ["value": $0.rawValue, "label": $0.label] },
            "reasons": HoldReason.allCases.map { ["value": $0.rawValue, "label": $0.label] },
            "outcomes": ContactOutcome.allCases.map { ["value": $0.rawValue, "label": $0.label] },
        ]
        let assignments = CollectionAssignments(database: database, keys: keys)
        let gestores = try await assignments.gestores(lenderID: lenderID)
        let assignee = try await assignments.assignee(of: loanID, lenderID: lenderID)
        values["gestor"] = assignee.map { id in gestores.first { $0.id == id }?.name ?? id } ?? "Sin asignar"
        if request.user?.role.allows(.assignCollections) == true {
            values["assign"] = ["gestores": gestores.map { ["id": $0.id, "name": $0.name, "selected": $0.id == assignee] }]
        }
        values["contacts"] = try contactRows.map { row -> [String: Any] in
            [
                "at": String(try row.decode(column: "recorded_at", as: String.self).prefix(16)).replacingOccurrences(of: "T", with: " "),
                "channel": ContactChannel(rawValue: try row.decode(column: "channel", as: String.self))?.label ?? "",
                "outcome": ContactOutcome(rawValue: try row.decode(column: "outcome", as: String.self))?.label ?? "",
                "note": try row.decode(column: "note", as: String.self), "next": try row.decode(column: "next_action_on", as: String?.self) ?? "—",
            ]
        }
        values["holds"] = try holds.map { row -> [String: Any] in
            let released = try row.decode(column: "released_at", as: String?.self)
            return [
                "id": try row.decode(column: "id", as: String.self), "loan": loanID,
                "reason": HoldReason(rawValue: try row.decode(column: "reason", as: String.self))?.label ?? "", "note": try row.decode(column: "note", as: String.self),
                "from": String(try row.decode(column: "created_at", as: String.self).prefix(10)), "until": released.map { String($0.prefix(10)) } ?? "vigente",
                "active": released == nil, "canManage": canManage,
            ]
        }
        var first = true
        values["promises"] = try promises.map { row -> [String: Any] in
            // Only the latest promise has a state of its own; earlier ones were replaced.
            let state = first ? states[loanID].flatMap { stateNames[$0] } ?? "Vigente" : (try row.decode(column: "canceled_at", as: String?.self) != nil ? "Reemplazada" : "Anterior")
            first = false
            return [
                "amount": Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: .mxn).formatted(.symbol), "due": try row.decode(column: "due_on", as: String.self),
                "tolerance": try row.decode(column: "tolerance_days", as: Int.self), "state": state,
            ]
        }
        values["messages"] = try messages.map { row -> [String: Any] in
            var line = try CollectionWorkPages.messageRow(row, keys: keys)
            line["due"] = try row.decode(column: "due_date", as: String.self)
            return line
        }
        let notices = ["consentimiento": "Se registró la decisión del acreditado.", "pausa": "La cobranza del crédito quedó en pausa.",
                       "pausa_terminada": "Terminó la pausa.", "promesa": "Se registró la promesa de pago.", "contacto": "Se registró el contacto.",
                       "gestor": "Se asignó la cuenta."]
        return pages.render(
            "collection_loan", title: "Cobranza del crédito", web: request, values: values, notice: request.query("aviso").flatMap { notices[$0] }, error: error,
            status: error == nil ? .ok : .unprocessableContent, current: "/cobranza"
        )
    }

}

extension CollectionWorkPages {
    /// A message as the pages show it: the recipient masked, the state in Spanish.
    static func messageRow(_ row: any SQLRow, keys: LiveKeys) throws -> [String: Any] {
        let recipient = (try? keys.decrypt(try row.decode(column: "recipient", as: String.self), field: "collection_messages.recipient")) ?? ""
        let state = try row.decode(column: "state", as: String.self)
        return [
            "loan": try row.decode(column: "loan_id", as: String.self), "channel": ContactChannel(rawValue: try row.decode(column: "channel", as: String.self))?.label ?? "",
            "template": try row.decode(column: "template_key", as: String.self), "recipient": mask(recipient),
            "sendAfter": try row.decode(column: "send_after", as: String.self).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC",
            "state": stateLabels.first { $0.0 == state }?.1 ?? state, "detail": try row.decode(column: "error_message", as: String?.self) ?? "",
        ]
    }

    /// `••••5678`, `m•••@example.com`.
    static func mask(_ recipient: String) -> String {
        if let at = recipient.firstIndex(of: "@") { return String(recipient.prefix(1)) + "•••" + recipient[at...] }
        return recipient.isEmpty ? "—" : "••••" + recipient.suffix(4)
    }
}
