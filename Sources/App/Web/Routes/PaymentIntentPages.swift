import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Integrations
import Lending
import Payments
import SQLKit
import Store

/// Payments through gateways in the web: the back office's list and detail of intents (attempts, webhooks received,
/// refunds with a reason), the webhooks received, and the borrower's side of the portal (ask for an OXXO reference or a
/// SPEI CLABE, see it with its barcode).
struct PaymentIntentPages {
    let web: WebRouter
    let database: Database
    let book: LoanBook
    let intents: PaymentIntentBook
    /// `CARTERA_PUBLIC_URL`, where gateways send borrowers back.
    let publicURL: String?

    static let methodLabels: [GatewayMethod.Kind: String] = [
        .cash: "Efectivo en OXXO u otra tienda", .spei: "Transferencia SPEI", .card: "Tarjeta de crédito o débito", .savedCard: "Tarjeta domiciliada",
    ]

    func add() {
        let pages = web.pages
        let database = database
        let book = book
        let intents = intents
        let publicURL = publicURL

        web.get("/pagos-en-linea", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let status = request.query("estado").flatMap(PaymentIntentStatus.init(rawValue:))
            let list = try await intents.recent(lenderID: user.lenderID, status: status, limit: 200)
            return pages.render(
                "payment_intents", title: "Pagos en línea", web: request,
                values: [
                    "intents": list.map(Self.row),
                    "statuses": PaymentIntentStatus.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == status] as [String: Any] },
                ],
                current: "/pagos-en-linea"
            )
        }

        web.get("/pagos-en-linea/:id", .permission(.readLoans)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await Self.detail(pages, request, id: id, user: user, intents: intents, database: database, notice: request.query("aviso") == "reembolso" ? "Reembolso hecho y registrado." : nil, error: nil)
        }

        web.post("/pagos-en-linea/:id/reembolsar", .permission(.reversePayments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            do {
                _ = try await intents.refund(id, amount: request.field("monto").nilIfEmpty, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/pagos-en-linea/\(id)?aviso=reembolso")
            } catch let error as APIError {
                return try await Self.detail(pages, request, id: id, user: user, intents: intents, database: database, notice: nil, error: error.message, status: .unprocessableContent)
            }
        }

        web.get("/avisos-pasarelas", .permission(.readLoans)) { request in
            let states = ["received": "Por procesar", "processed": "Procesado", "ignored": "Ignorado", "unmatched": "Sin pago en Cartera", "rejected": "Rechazado", "failed": "Falló: revisar"]
            let state = request.query("estado").flatMap { states[$0] != nil ? $0 : nil }
            let events = try await Self.events(database, state: state, intentID: nil)
            return pages.render(
                "gateway_events", title: "Avisos de las pasarelas", web: request,
                values: [
                    "events": events,
                    "states": states.sorted { $0.key < $1.key }.map { ["value": $0.key, "label": $0.value, "selected": $0.key == state] as [String: Any] },
                ],
                current: "/pagos-en-linea"
            )
        }

        // The borrower: a reference to pay an installment, the payoff or an amount.
        web.post("/portal/creditos/:id/pagar", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), try await LoanPages.ownLoan(id, user, book) != nil else {
                return pages.message(title: "Crédito no encontrado", message: "Ese crédito no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            let choice = request.field("forma").split(separator: ":").map(String.init)
            guard choice.count == 2, let provider = GatewayProvider(rawValue: choice[0]) else {
                return pages.message(title: "Elija cómo pagar", message: "Elija una forma de pago de la lista.", web: request, status: .unprocessableContent, next: ("/portal/creditos/\(id)", "Volver a mi crédito"))
            }
            var payment = PaymentIntentBook.Request(provider: provider, method: choice[1])
            switch request.field("pagar") {
            case "pago": payment.installment = Int(request.field("numero"))
            case "liquidar": payment.payoff = true
            default: payment.amount = request.field("monto")
            }
            do {
                if payment.method == GatewayMethod.Kind.card.rawValue {
                    // The card is typed on the provider's own page; the provider sends the borrower back here.
                    let base = request.publicBase(configured: publicURL)
                    let page = try await intents.checkout(loanID: id, payment, returnURL: { "\(base)/pagos/regreso/\($0)" }, lenderID: user.lenderID, actor: request.actor)
                    // A link, not a redirect: the portal's pages submit forms only to Cartera (CSP form-action), and the
                    // borrower sees where the card is typed before going there.
                    var values = Self.values(page.intent)
                    values["cardPage"] = page.url
                    return pages.render("portal_checkout", title: "Pago con tarjeta", web: request, values: values, current: "/portal")
                }
                let intent = try await intents.create(loanID: id, payment, lenderID: user.lenderID, actor: request.actor)
                return WebPages.redirect(to: "/portal/pagos/\(intent.id)")
            } catch let error as APIError {
                return pages.message(title: "No se pudo generar la referencia", message: error.message, web: request, status: error.status, next: ("/portal/creditos/\(id)", "Volver a mi crédito"))
            }
        }

        // Where a gateway's card page sends the borrower back. Browsers do not send the session cookie (SameSite=Strict)
        // on a navigation another site started, so this page needs none: it names nobody, shows the payment's amount
        // and state (its id, 80 random bits, is the key), asks the gateway, and links to the portal (a link from
        // Cartera's own page carries the session again).
        web.get("/pagos/regreso/:id", .anyone) { request in
            guard let id = request.context.parameters.get("id"), id.hasPrefix("pin_"), id.count <= 64, var intent = try await intents.intent(returning: id), intent.isCardPage else {
                return pages.message(title: "Pago no encontrado", message: "No encontramos ese pago. Revise sus pagos en el portal.", web: request, status: .notFound, next: ("/portal", "Ir a mis créditos"))
            }
            if intent.isCardPage, intent.status == .pending, let connector = intents.connectors[intent.provider] {
                try? await intents.query(intent, connector: connector, now: intents.clock(), actor: request.actor, byBorrower: true)
                intent = try await intents.intent(returning: id) ?? intent
            }
            var values: [String: Any] = [
                "amount": intent.intent.amount.formatted(.symbol), "provider": intent.provider.name, "status": intent.statusLabel, "paid": intent.status.isPaid,
                "id": intent.id, "pending": intent.status == .pending,
            ]
            values["failure"] = intent.failureMessage
            return pages.render("payment_return", title: "Su pago con tarjeta", web: request, values: values, current: "/portal")
        }

        web.get("/portal/pagos/:id", .permission(.usePortal)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"),
                var intent = try? await intents.intent(id, lenderID: user.lenderID), try await LoanPages.ownLoan(intent.loanId, user, book) != nil
            else {
                return pages.message(title: "Pago no encontrado", message: "Ese pago no está entre los suyos.", web: request, status: .notFound, next: ("/portal", "Ver mis créditos"))
            }
            if intent.method == GatewayMethod.Kind.card.rawValue, intent.status == .pending, intent.voucherUrl != nil, let connector = intents.connectors[intent.provider] {
                // Back from the provider's card page: ask it now rather than wait for its notice.
                try? await intents.query(intent, connector: connector, now: intents.clock(), actor: request.actor, byBorrower: true)
                intent = try await intents.intent(id, lenderID: user.lenderID)
            }
            var values = Self.values(intent)
            values["barcode"] = intent.cashReference.flatMap { Code128.svg($0) } ?? ""
            values["cardPage"] = intent.method == GatewayMethod.Kind.card.rawValue && intent.status == .pending ? intent.voucherUrl : nil
            return pages.render("portal_payment", title: "Su referencia de pago", web: request, values: values, current: "/portal")
        }
    }

    /// What the portal's loan page shows of online payments: the form (when the loan can be paid) and the list.
    static func portalValues(loan: LoanBook.Record, position: LoanPosition?, user: WebSessions.User, intents: PaymentIntentBook) async throws -> [String: Any] {
        var methods: [[String: Any]] = []
        for provider in intents.connectors.providers {
            guard let connector = intents.connectors[provider] else { continue }
            for kind in [GatewayMethod.Kind.cash, .spei, .card] where connector.methods.contains(kind) {
                methods.append(["value": "\(provider.rawValue):\(kind.rawValue)", "label": "\(methodLabels[kind] ?? kind.rawValue) — \(provider.name)", "first": methods.isEmpty])
            }
        }
        var values: [String: Any] = [
            "canPayOnline": loan.status == .active && !methods.isEmpty, "methods": methods,
            "intents": try await intents.intents(loanID: loan.id, lenderID: user.lenderID).map(row),
        ]
        if let next = position?.nextInstallment, next.remaining.isPositive {
            values["nextInstallment"] = ["number": next.number, "remaining": next.remaining.formatted(.symbol)]
        }
        return values
    }

    static func row(_ intent: PaymentIntentRecord) -> [String: Any] {
        [
            "id": intent.id, "loanId": intent.loanId, "provider": intent.provider.name, "method": methodLabels[GatewayMethod.Kind(rawValue: intent.method) ?? .card] ?? intent.method,
            "amount": "$" + intent.amount, "status": intent.statusLabel, "createdAt": String(intent.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
        ]
    }

    static func values(_ intent: PaymentIntentRecord) -> [String: Any] {
        var values: [String: Any] = [
            "intent": (try? JSONSerialization.jsonObject(with: LoanBook.jsonEncoder.encode(intent))) ?? [:],
            "provider": intent.provider.name, "method": methodLabels[GatewayMethod.Kind(rawValue: intent.method) ?? .card] ?? intent.method, "amount": "$" + intent.amount,
        ]
        if let received = intent.received { values["received"] = "$" + received }
        values["fee"] = intent.fee.map { "$" + $0 }
        if intent.refunded != "0.00" { values["refunded"] = "$" + intent.refunded }
        return values
    }

    static func detail(
        _ pages: WebPages, _ request: WebRequest, id: String, user: WebSessions.User, intents: PaymentIntentBook, database: Database, notice: String?, error: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let intent: PaymentIntentRecord
        do {
            intent = try await intents.intent(id, lenderID: user.lenderID)
        } catch let error as APIError where error.status == .notFound {
            return pages.message(title: "Pago no encontrado", message: error.message, web: request, status: .notFound, next: ("/pagos-en-linea", "Ver los pagos en línea"))
        }
        var values = values(intent)
        values["attempts"] = try await intents.attempts(id).map { attempt -> [String: Any] in
            [
                "requestedAt": attempt.requestedAt, "kind": ["charge": "Cobro", "query": "Consulta", "lookup": "Búsqueda", "refund": "Reembolso"][attempt.kind] ?? attempt.kind,
                "amount": attempt.amount.map { "$" + $0 } ?? "", "result": attempt.result, "errorMessage": attempt.errorMessage ?? "", "reason": attempt.reason ?? "",
                "requestedBy": attempt.requestedBy,
            ]
        }
        values["events"] = try await Self.events(database, state: nil, intentID: id)
        let received = intent.intent.received
        values["canRefund"] = user.role.allows(.reversePayments) && intent.status.isPaid && intent.status != .refunded
        if let received { values["refundable"] = (received - intent.intent.refunded).formatted(.symbol) }
        return pages.render("payment_intent", title: "Pago en línea \(id)", web: request, values: values, notice: notice, error: error, status: status, current: "/pagos-en-linea")
    }

    /// Webhooks received, newest first (of one intent, or in one state).
    static func events(_ database: Database, state: String?, intentID: String?) async throws -> [[String: Any]] {
        let rows = try await database.withConnection { db in
            var filter: SQLQueryString = ""
            if let state { filter = " WHERE state = \(bind: state)" }
            if let intentID { filter = " WHERE intent_id = \(bind: intentID)" }
            return try await db.raw(
                "SELECT provider, event_id, type, received_at, deliveries, state, intent_id, last_error FROM gateway_events\(filter) ORDER BY received_at DESC LIMIT 300"
            ).all().map { row -> [String: String] in
                var values: [String: String] = [:]
                for column in ["provider", "event_id", "type", "received_at", "state"] { values[column] = try row.decode(column: column, as: String.self) }
                values["deliveries"] = String(try row.decode(column: "deliveries", as: Int.self))
                values["intent_id"] = try row.decode(column: "intent_id", as: String?.self) ?? ""
                values["last_error"] = try row.decode(column: "last_error", as: String?.self) ?? ""
                return values
            }
        }
        return rows.map { row -> [String: Any] in
            let eventID = row["event_id"] ?? ""
            var values: [String: Any] = [
                "provider": GatewayProvider(rawValue: row["provider"] ?? "")?.name ?? "", "eventId": eventID, "type": row["type"] ?? "",
                "receivedAt": row["received_at"] ?? "", "deliveries": row["deliveries"] ?? "", "state": row["state"] ?? "", "intentId": row["intent_id"] ?? "",
                "lastError": row["last_error"] ?? "",
            ]
            if eventID.hasPrefix("verification:") { values["verification"] = String(eventID.dropFirst("verification:".count)) }
            return values
        }
    }
}
