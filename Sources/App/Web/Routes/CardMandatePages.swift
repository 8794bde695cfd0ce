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
    /// `CARTERA_PUBLIC_URL`, where gateways send borrowers back.
    let publicURL: String?

    func add() {
        let pages = web.pages
        let book = book
        let mandates = mandates
        let publicURL = publicURL

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

        // The borrower authorises domiciliación: chooses the gateway and a limit, reads and accepts the authorisation,
        // then saves the card on the gateway's own page.
        web.get("/portal/creditos/:id/domiciliacion", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), try await LoanPages.ownLoan(id, user, book) != nil else {
                return pages.message(title: "Crédito no encontrado", message: "Ese crédito no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            return try await Self.setupForm(pages, request, loanID: id, lenderID: user.lenderID, mandates: mandates, error: nil)
        }

        web.post("/portal/creditos/:id/domiciliacion", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), try await LoanPages.ownLoan(id, user, book) != nil else {
                return pages.message(title: "Crédito no encontrado", message: "Ese crédito no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            let terms: CardMandateBook.SetupTerms
            do {
                terms = try await mandates.setupTerms(loanID: id, provider: request.field("pasarela"), maxAmount: request.field("maximo").nilIfEmpty, lenderID: user.lenderID)
            } catch let error as APIError {
                return try await Self.setupForm(pages, request, loanID: id, lenderID: user.lenderID, mandates: mandates, error: error.message, status: error.status)
            }
            var values: [String: Any] = [
                "loanId": id, "provider": terms.provider.name, "providerValue": terms.provider.rawValue, "maxAmount": terms.maxAmount?.decimalText ?? "", "consent": terms.consent,
            ]
            guard request.field("acepto") == "si" else {
                // Step two: the authorisation, word for word, to accept.
                return pages.render("portal_card_setup_confirm", title: "Autorizar la domiciliación", web: request, values: values, current: "/portal")
            }
            do {
                guard request.field("autorizacion") == terms.consent else {
                    throw CardMandateBook.refusal("consent_changed", "La autorización cambió mientras la leía. Revísela y acéptela de nuevo.", status: .conflict)
                }
                let base = request.publicBase(configured: publicURL)
                let setup = try await mandates.beginSetup(
                    loanID: id, terms: terms, returnURL: { "\(base)/domiciliacion/regreso/\($0)" }, lenderID: user.lenderID, actor: request.actor
                )
                // A link, not a redirect: the portal's forms post only to Cartera (CSP form-action), and the borrower
                // sees where the card is typed before going there.
                values["cardPage"] = setup.pageUrl ?? ""
                return pages.render("portal_card_setup_go", title: "Registrar la tarjeta", web: request, values: values, current: "/portal")
            } catch let error as APIError {
                values["error"] = error.message
                return pages.render(
                    "portal_card_setup_confirm", title: "Autorizar la domiciliación", web: request, values: values, error: error.message, status: error.status, current: "/portal"
                )
            }
        }

        // Where the gateway's page sends the borrower back. Browsers do not send the session cookie (SameSite=Strict)
        // on a navigation another site started, so this page needs none: the setup's id (80 random bits) is the key;
        // it names neither the borrower nor the loan, asks the gateway (at most every 15 s), and links to the portal.
        web.get("/domiciliacion/regreso/:id", .anyone) { request in
            guard let id = request.context.parameters.get("id"), id.hasPrefix("dse_"), id.count <= 64, let setup = try await mandates.finishSetup(id, actor: request.actor) else {
                return pages.message(title: "Registro no encontrado", message: "No encontramos ese registro de tarjeta. Revise su crédito en el portal.", web: request, status: .notFound, next: ("/portal", "Ir a mis créditos"))
            }
            var values: [String: Any] = [
                "provider": setup.provider.name, "status": setup.status.label, "completed": setup.status == .completed, "open": setup.status == .open,
                "ended": setup.status == .expired || setup.status == .failed,
            ]
            values["error"] = setup.errorMessage
            values["cardPage"] = setup.status == .open ? setup.pageUrl : nil
            if let mandateID = setup.mandateId, let mandate = try? await mandates.mandate(mandateID, lenderID: setup.lenderId) {
                values["card"] = mandate.card.label
            }
            return pages.render("card_setup_return", title: "Domiciliación con tarjeta", web: request, values: values, current: "/portal")
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

    /// The first step of authorising domiciliación in the portal: the gateway and the limit.
    static func setupForm(
        _ pages: WebPages, _ request: WebRequest, loanID: String, lenderID: String, mandates: CardMandateBook, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let providers = mandates.setupProviders
        let chosen = request.field("pasarela")
        var values: [String: Any] = [
            "loanId": loanID, "maxAmount": request.field("maximo"),
            "providers": providers.enumerated().map { index, provider in
                ["value": provider.rawValue, "label": provider.name, "checked": chosen.isEmpty ? index == 0 : chosen == provider.rawValue] as [String: Any]
            },
            "canSetUp": !providers.isEmpty,
        ]
        if let mandate = try await mandates.active(loanID: loanID, lenderID: lenderID) { values["activeCard"] = mandate.cardLabel }
        return pages.render("portal_card_setup", title: "Domiciliar mis pagos", web: request, values: values, error: error, status: status, current: "/portal")
    }

    /// What the portal's loan page shows of the loan's authorisation (and the way to give one).
    static func portalValues(loanID: String, lenderID: String, active: Bool, mandates: CardMandateBook, actor: Administration.Actor) async throws -> [String: Any] {
        // A card saved on the gateway's page whose borrower never came back to Cartera is taken up now.
        for setup in try await mandates.setups(loanID: loanID, lenderID: lenderID) where setup.status == .open {
            _ = try? await mandates.finishSetup(setup.id, actor: actor)
        }
        guard let mandate = try await mandates.active(loanID: loanID, lenderID: lenderID) else {
            return ["canSetUpMandate": active && !mandates.setupProviders.isEmpty, "mandateLoanId": loanID]
        }
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
