import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Integrations
import Lending
import Payments
import Store

/// Domiciliación in the web: the back office's authorisations with their due-date charges, revocation with a reason,
/// the lender's retry days; in the portal, the borrower's authorisation (cancel at any time) and the notices.
struct CardMandatePages {
    let web: WebRouter
    let book: LoanBook
    let mandates: CardMandateBook

    func add() {
        let pages = web.pages
        let book = book
        let mandates = mandates

        web.get("/domiciliaciones", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let status = request.query("estado").flatMap(CardMandateRecord.Status.init(rawValue:))
            let list = try await mandates.recent(lenderID: user.lenderID, status: status)
            return pages.render(
                "card_mandates", title: "Domiciliación", web: request,
                values: [
                    "mandates": list.map(Self.row),
                    "statuses": [CardMandateRecord.Status.active, .revoked].map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == status] as [String: Any] },
                    "charges": try await mandates.recentCharges(lenderID: user.lenderID, limit: 100).map { Self.chargeRow($0) },
                    "retryDays": try await mandates.retrySchedule(lenderID: user.lenderID).days.map(String.init).joined(separator: ", "),
                    "canConfigure": user.role.allows(.manageGateways),
                ],
                current: "/domiciliaciones"
            )
        }

        web.get("/domiciliaciones/:id", .permission(.readLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await Self.detail(pages, request, id: id, user: user, mandates: mandates, notice: ["cancelada": "Domiciliación cancelada.", "revisado": "Cobro revisado y cerrado."][request.query("aviso") ?? ""], error: nil)
        }

        web.post("/domiciliaciones/:id/cancelar", .permission(.postPayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                _ = try await mandates.revoke(id, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/domiciliaciones/\(id)?aviso=cancelada")
            } catch let error as APIError where error.status != .notFound {
                return try await Self.detail(pages, request, id: id, user: user, mandates: mandates, notice: nil, error: error.message, status: .unprocessableContent)
            }
        }

        web.post("/domiciliaciones/:id/cobros/:cobro/revisado", .permission(.postPayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let charge = request.context.parameters.get("cobro") else {
                return WebPages.redirect(to: "/login")
            }
            do {
                try await mandates.resolve(charge: charge, mandate: id, note: request.field("nota"), lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/domiciliaciones/\(id)?aviso=revisado")
            } catch let error as APIError {
                return try await Self.detail(pages, request, id: id, user: user, mandates: mandates, notice: nil, error: error.message, status: .unprocessableContent)
            }
        }

        web.get("/ajustes/domiciliacion", .permission(.manageGateways)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let days = try await mandates.retrySchedule(lenderID: user.lenderID).days.map(String.init).joined(separator: ", ")
            return pages.render("recurring_settings", title: "Reintentos de la domiciliación", web: request, values: ["retryDays": days], current: "/domiciliaciones")
        }

        web.post("/ajustes/domiciliacion", .permission(.manageGateways)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            do {
                let schedule = try await mandates.setRetrySchedule(request.field("dias"), lenderID: user.lenderID, actor: request.actor)
                return pages.render(
                    "recurring_settings", title: "Reintentos de la domiciliación", web: request, values: ["retryDays": schedule.days.map(String.init).joined(separator: ", ")],
                    notice: "Días de reintento guardados.", current: "/domiciliaciones"
                )
            } catch let error as APIError {
                return pages.render(
                    "recurring_settings", title: "Reintentos de la domiciliación", web: request, values: ["retryDays": request.field("dias")], error: error.message,
                    status: .unprocessableContent, current: "/domiciliaciones"
                )
            }
        }

        // The borrower cancels the authorisation of one of their loans.
        web.post("/portal/creditos/:id/domiciliacion/cancelar", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), try await LoanPages.ownLoan(id, user, book) != nil,
                let mandate = try await mandates.active(loanID: id, lenderID: user.lenderID)
            else {
                return pages.message(title: "Domiciliación no encontrada", message: "Ese crédito no tiene una domiciliación activa.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            do {
                _ = try await mandates.revoke(mandate.id, reason: "Cancelada por el acreditado en el portal", lenderID: user.lenderID, actor: request.actor)
            } catch let error as APIError {
                return pages.message(title: "No se pudo cancelar", message: error.message, web: request, status: error.status, next: ("/portal/creditos/\(id)", "Volver a mi crédito"))
            }
            return pages.message(
                title: "Domiciliación cancelada", message: "Ya no cargaremos sus pagos a la tarjeta \(mandate.cardLabel). Pague en el portal con referencia OXXO o SPEI.", web: request,
                status: .ok, next: ("/portal/creditos/\(id)", "Volver a mi crédito")
            )
        }
    }

    /// What the portal's loan page shows of the loan's authorisation.
    static func portalValues(loanID: String, lenderID: String, mandates: CardMandateBook) async throws -> [String: Any] {
        guard let mandate = try await mandates.active(loanID: loanID, lenderID: lenderID) else { return [:] }
        var values: [String: Any] = [
            "loanId": loanID, "card": mandate.cardLabel, "authorisedAt": String(mandate.authorisedAt.prefix(10)),
            "retryDays": try await mandates.retrySchedule(lenderID: lenderID).days.map(String.init).joined(separator: ", "),
        ]
        values["maxAmount"] = mandate.maxMoney.map { $0.formatted(.symbol) }
        return ["mandate": values]
    }

    /// What the portal's home shows: the client's latest notices.
    static func portalNotices(clientID: String?, lenderID: String, database: Database) async throws -> [String: Any] {
        guard let clientID else { return [:] }
        let notices = try await BorrowerNotices.latest(clientID: clientID, lenderID: lenderID, limit: 10, database: database)
        return [
            "hasNotices": !notices.isEmpty,
            "notices": notices.map { ["title": $0.title, "body": $0.body, "createdAt": String($0.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " ")] },
        ]
    }

    static func row(_ mandate: CardMandateRecord) -> [String: Any] {
        [
            "id": mandate.id, "loanId": mandate.loanId, "provider": mandate.provider.name, "card": mandate.cardLabel, "maxAmount": mandate.maxMoney.map { $0.formatted(.symbol) } ?? "Monto exigible",
            "status": mandate.statusLabel, "authorisedAt": String(mandate.authorisedAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
        ]
    }

    static func chargeRow(_ charge: RecurringChargeRecord, canResolve: Bool = false) -> [String: Any] {
        [
            "id": charge.id, "mandateId": charge.mandateId, "canResolve": canResolve && charge.status == .unconfirmed,
            "loanId": charge.loanId, "installment": charge.installment, "dueDate": charge.dueDate, "attempts": charge.attempts, "amount": charge.amount.map { "$" + $0 } ?? "",
            "status": charge.statusLabel, "nextAttemptOn": charge.nextAttemptOn ?? "", "lastError": charge.lastError ?? "", "intentId": charge.intentId ?? "",
            "attention": charge.status == .exhausted || charge.status == .unconfirmed || charge.lastErrorCode == "gateway_refused",
        ]
    }

    static func detail(
        _ pages: WebPages, _ request: WebRequest, id: String, user: WebSessions.User, mandates: CardMandateBook, notice: String?, error: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let mandate: CardMandateRecord
        do {
            mandate = try await mandates.mandate(id, lenderID: user.lenderID)
        } catch let error as APIError where error.status == .notFound {
            return pages.message(title: "Domiciliación no encontrada", message: error.message, web: request, status: .notFound, next: ("/domiciliaciones", "Ver las domiciliaciones"))
        }
        let values: [String: Any] = [
            "mandate": (try? JSONSerialization.jsonObject(with: LoanBook.jsonEncoder.encode(mandate))) ?? [:],
            "provider": mandate.provider.name, "card": mandate.cardLabel, "maxAmount": mandate.maxMoney.map { $0.formatted(.symbol) } ?? "El monto exigible en cada fecha",
            "channel": mandate.channel == "portal" ? "en el portal" : "por la API",
            "charges": try await mandates.charges(mandateID: id).map { chargeRow($0, canResolve: user.role.allows(.postPayments)) },
            "canRevoke": mandate.status == .active && user.role.allows(.postPayments),
        ]
        return pages.render("card_mandate", title: "Domiciliación \(id)", web: request, values: values, notice: notice, error: error, status: status, current: "/domiciliaciones")
    }
}
