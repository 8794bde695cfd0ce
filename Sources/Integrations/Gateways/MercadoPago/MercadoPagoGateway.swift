import CarteraCore
import Foundation
import NIOHTTP1
import Payments

/// Mercado Pago's Payments API (`https://api.mercadopago.com`, site MLM): JSON bodies, `Authorization: Bearer <access
/// token>` (test credentials in sandbox), `X-Idempotency-Key` on every payment and refund (so retries never charge
/// twice). A payment is a card token from Mercado Pago's browser script with its `payment_method_id` (visa, master…),
/// cash at OXXO (`oxxo`: a ticket with a reference and barcode) or SPEI (`clabe`). Amounts are decimal pesos, read and
/// written from their decimal text; fees are the payment's `fee_details`.
public struct MercadoPagoGateway: PaymentGateway {
    public let provider = GatewayProvider.mercadopago
    public let methods: Set<GatewayMethod.Kind> = [.card, .savedCard, .cash, .spei]
    public static let productionBaseURL = "https://api.mercadopago.com"

    let client: ProviderHTTPClient
    let accessToken: String

    public init(accessToken: String, client: ProviderHTTPClient) {
        self.accessToken = accessToken
        self.client = client
    }

    public func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String {
        let body: [String: Any] = ["email": email ?? ConektaGateway.placeholderEmail, "first_name": name, "description": reference]
        let object = try await send(.POST, "/v1/customers", body: body, idempotencyKey: "customer-\(reference)")
        guard let id = JSONFields.text(object, "id") else { throw .invalidResponse(provider: provider, detail: "cliente sin id") }
        return id
    }

    public func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge {
        var body: [String: Any] = [
            "transaction_amount": NSDecimalNumber(string: request.amount.decimalText), "description": request.description,
            "external_reference": request.intentID, "metadata": ["cartera_intent": request.intentID],
            "payer": ["email": request.payerEmail ?? ConektaGateway.placeholderEmail, "first_name": request.payerName],
        ]
        switch request.method {
        case .card(let token):
            body["token"] = token
            body["installments"] = 1
            body["payment_method_id"] = request.paymentMethodID ?? "visa"
        case .savedCard(let customerID, let cardID):
            let token = try await send(.POST, "/v1/card_tokens", body: ["card_id": cardID, "customer_id": customerID], idempotencyKey: "token-\(request.intentID)")
            guard let cardToken = JSONFields.text(token, "id") else { throw .invalidResponse(provider: provider, detail: "token de tarjeta guardada sin id") }
            body["token"] = cardToken
            body["installments"] = 1
            body["payment_method_id"] = request.paymentMethodID ?? "visa"
            body["payer"] = ["type": "customer", "id": customerID]
        case .cash(let expiresAt):
            body["payment_method_id"] = "oxxo"
            body["date_of_expiration"] = Self.date(expiresAt)
        case .spei(_, let expiresAt):
            body["payment_method_id"] = "clabe"
            body["date_of_expiration"] = Self.date(expiresAt)
        }
        return try map(try await send(.POST, "/v1/payments", body: body, idempotencyKey: request.intentID))
    }

    /// `POST /v1/customers/{id}/cards` with the card token from Mercado Pago's script; each later charge asks a fresh
    /// card token for the saved card (`POST /v1/card_tokens` with `card_id`), as Mercado Pago charges tokens only.
    public func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard {
        let card = try await send(.POST, "/v1/customers/\(FormEncoding.escape(customerID))/cards", body: ["token": token], idempotencyKey: "card-\(customerID)-\(token)")
        guard let id = JSONFields.text(card, "id") else { throw .invalidResponse(provider: provider, detail: "tarjeta guardada sin id") }
        return SavedCard(
            id: id, brand: JSONFields.text(card, "payment_method", "id") ?? "card", last4: JSONFields.text(card, "last_four_digits") ?? "",
            expiryMonth: JSONFields.integer(card, "expiration_month").map(Int.init), expiryYear: JSONFields.integer(card, "expiration_year").map(Int.init)
        )
    }

    public func removeCard(customerID: String, cardID: String) async throws(GatewayError) {
        do {
            _ = try await send(.DELETE, "/v1/customers/\(FormEncoding.escape(customerID))/cards/\(FormEncoding.escape(cardID))", body: nil, idempotencyKey: nil)
        } catch .refused(_, 404, _, _) {
            return
        }
    }

    /// A Checkout Pro preference for cards only (`external_reference` = the intent): the payment is made on Mercado
    /// Pago's page and found by the intent id.
    public func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout {
        let body: [String: Any] = [
            "items": [["title": request.description, "quantity": 1, "unit_price": NSDecimalNumber(string: request.amount.decimalText), "currency_id": request.amount.currency.code]],
            "external_reference": request.intentID, "metadata": ["cartera_intent": request.intentID],
            "payer": ["email": request.payerEmail ?? ConektaGateway.placeholderEmail, "name": request.payerName],
            "back_urls": ["success": request.returnURL, "failure": request.returnURL, "pending": request.returnURL], "auto_return": "approved",
            "payment_methods": ["excluded_payment_types": [["id": "ticket"], ["id": "bank_transfer"], ["id": "atm"]], "installments": 1] as [String: Any],
            "expires": true, "expiration_date_to": Self.date(request.expiresAt),
        ]
        let preference = try await send(.POST, "/checkout/preferences", body: body, idempotencyKey: "checkout-\(request.intentID)")
        guard let url = JSONFields.text(preference, "init_point") else { throw .invalidResponse(provider: provider, detail: "preferencia sin init_point") }
        return GatewayCheckout(url: url, chargeID: nil, expiresAt: request.expiresAt)
    }

    public func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge {
        try map(try await send(.GET, "/v1/payments/\(FormEncoding.escape(chargeID))", body: nil, idempotencyKey: nil))
    }

    public func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge? {
        let found = try await send(.GET, "/v1/payments/search?external_reference=\(FormEncoding.escape(intentID))", body: nil, idempotencyKey: nil)
        // On Mercado Pago's page a borrower may be declined and then pay: the payment that went through counts.
        let mine = (found["results"] as? [[String: Any]] ?? []).filter { JSONFields.text($0, "external_reference") == intentID }
        let rank = ["approved": 0, "authorized": 1, "in_process": 2, "pending": 3]
        return try mine.min { rank[JSONFields.text($0, "status") ?? "", default: 9] < rank[JSONFields.text($1, "status") ?? "", default: 9] }.map(map)
    }

    public func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome {
        var body: [String: Any] = [:]
        if let amount { body["amount"] = NSDecimalNumber(string: amount.decimalText) }
        _ = try await send(.POST, "/v1/payments/\(FormEncoding.escape(chargeID))/refunds", body: body, idempotencyKey: idempotencyKey)
        let payment = try await send(.GET, "/v1/payments/\(FormEncoding.escape(chargeID))", body: nil, idempotencyKey: nil)
        let currency = JSONFields.text(payment, "currency_id").flatMap { Currency(code: $0.uppercased()) } ?? .mxn
        guard let refunded = JSONFields.pesos(payment, "transaction_amount_refunded", currency: currency) else {
            throw .invalidResponse(provider: provider, detail: "pago sin transaction_amount_refunded")
        }
        return .refunded(total: refunded)
    }

    public func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport? {
        // Mercado Pago signs only the ids: the payment is always asked of Mercado Pago.
        guard let event = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            JSONFields.text(event, "type") == "payment", let id = JSONFields.text(event, "data", "id")
        else { return nil }
        return GatewayEventReport(chargeID: id, intentID: nil, outcome: nil)
    }

    // MARK: Wire

    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]?, idempotencyKey: String?) async throws(GatewayError) -> [String: Any] {
        var headers = [("Authorization", "Bearer \(accessToken)")]
        if let idempotencyKey { headers.append(("X-Idempotency-Key", String(idempotencyKey.prefix(64)))) }
        let response = try await client.sendJSON(method, path, headers: headers, body: body, idempotent: method == .GET || method == .DELETE || idempotencyKey != nil)
        guard let object = response.json as? [String: Any] else { throw .invalidResponse(provider: provider, detail: "respuesta sin objeto") }
        if (200..<300).contains(response.status) { return object }
        let cause = (object["cause"] as? [[String: Any]])?.first ?? [:]
        throw .refused(
            provider: provider, status: response.status, providerCode: JSONFields.text(cause, "code") ?? JSONFields.text(object, "error"),
            detail: JSONFields.text(object, "message") ?? JSONFields.text(cause, "description") ?? "HTTP \(response.status)"
        )
    }

    /// `2026-12-01T23:59:59.000-06:00`: Mercado Pago's dates carry their offset; Cartera writes Mexico City's.
    static func date(_ instant: Timestamp) -> String { MexicoCityTime.text(instant) + ".000-06:00" }

    func map(_ payment: [String: Any]) throws(GatewayError) -> GatewayCharge {
        guard let id = JSONFields.text(payment, "id"), let status = JSONFields.text(payment, "status") else {
            throw .invalidResponse(provider: provider, detail: "pago sin id o status")
        }
        let currency = JSONFields.text(payment, "currency_id").flatMap { Currency(code: $0.uppercased()) } ?? .mxn
        let type = JSONFields.text(payment, "payment_type_id") ?? ""
        let outcome: GatewayOutcome
        switch status {
        case "approved", "refunded", "charged_back":
            guard let amount = JSONFields.pesos(payment, "transaction_amount", currency: currency) else { throw .invalidResponse(provider: provider, detail: "pago sin monto") }
            // The fees Mercado Pago lists (none listed: not known yet).
            var fee: Money?
            for detail in payment["fee_details"] as? [[String: Any]] ?? [] {
                if let part = JSONFields.pesos(detail, "amount", currency: currency) { fee = (fee ?? Money(minorUnits: 0, currency: currency)) + part }
            }
            outcome = .paid(amount: amount, fee: fee)
        case "rejected":
            let detail = JSONFields.text(payment, "status_detail")
            outcome = .failed(code: Self.failureCode(detail), message: Self.rejection(detail))
        case "cancelled":
            // A ticket or transfer left unpaid is cancelled when its date of expiration passes.
            outcome = type == "ticket" || type == "bank_transfer" || type == "atm" ? .expired : .canceled
        default:
            outcome = .pending  // pending, in_process, authorized, in_mediation
        }
        let details = payment["transaction_details"] as? [String: Any] ?? [:]
        let expires = JSONFields.text(payment, "date_of_expiration").flatMap(MexicoCityTime.parse)
        return GatewayCharge(
            id: id, outcome: outcome, cashReference: type == "ticket" ? JSONFields.text(details, "payment_method_reference_id") : nil,
            voucherURL: type == "ticket" ? JSONFields.text(details, "external_resource_url") : nil,
            clabe: type == "bank_transfer" ? JSONFields.text(details, "payment_method_reference_id") : nil,
            bankName: type == "bank_transfer" ? JSONFields.text(details, "financial_institution") : nil, expiresAt: expires,
            paidAt: JSONFields.text(payment, "date_approved").flatMap(MexicoCityTime.parse),
            refunded: JSONFields.pesos(payment, "transaction_amount_refunded", currency: JSONFields.text(payment, "currency_id").flatMap { Currency(code: $0.uppercased()) } ?? .mxn),
            intentID: JSONFields.text(payment, "external_reference")
        )
    }

    /// Mercado Pago's `status_detail`, named as the other providers name it.
    static func failureCode(_ detail: String?) -> String {
        switch detail {
        case "cc_rejected_insufficient_amount": "insufficient_funds"
        case "cc_rejected_bad_filled_security_code": "incorrect_cvc"
        case "cc_rejected_bad_filled_date": "expired_card"
        case "cc_rejected_call_for_authorize": "call_issuer"
        case "cc_rejected_high_risk", "cc_rejected_blacklist": "fraudulent"
        case let other?: other
        case nil: "rejected"
        }
    }

    /// Mercado Pago's `status_detail` of a rejected card, for people.
    static func rejection(_ detail: String?) -> String {
        switch detail {
        case "cc_rejected_insufficient_amount": "La tarjeta no tiene fondos suficientes."
        case "cc_rejected_bad_filled_security_code": "El código de seguridad de la tarjeta es incorrecto."
        case "cc_rejected_bad_filled_date": "La fecha de vencimiento de la tarjeta es incorrecta."
        case "cc_rejected_call_for_authorize": "El banco pide autorizar el pago: el titular debe llamar a su banco."
        default: "El pago fue rechazado."
        }
    }
}
