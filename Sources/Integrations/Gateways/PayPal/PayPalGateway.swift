import CarteraCore
import Foundation
import NIOHTTP1
import Payments

/// PayPal's REST APIs (`https://api-m.paypal.com`, sandbox `https://api-m.sandbox.paypal.com`): OAuth2 client
/// credentials (`PayPalAccessTokens`), JSON, `PayPal-Request-Id` on every write (PayPal keeps it 6 hours), amounts as
/// decimal strings. A card is saved in PayPal's vault by PayPal's card fields in the browser (a setup token), turned
/// into a payment token (`POST /v3/vault/payment-tokens`) and charged through an order captured at once
/// (`POST /v2/checkout/orders`, `intent: CAPTURE`, `payment_source.card.vault_id`); a saved card is its payment token.
/// PayPal offers no cash or SPEI references in Mexico: asking for them is `unsupported`.
public struct PayPalGateway: PaymentGateway {
    public let provider = GatewayProvider.paypal
    public let methods: Set<GatewayMethod.Kind> = [.card, .savedCard]
    public static let productionBaseURL = "https://api-m.paypal.com"
    public static let sandboxBaseURL = "https://api-m.sandbox.paypal.com"

    let client: ProviderHTTPClient
    let tokens: PayPalAccessTokens

    public init(clientID: String, secret: String, client: ProviderHTTPClient, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.client = client
        self.tokens = PayPalAccessTokens(client: client, clientID: clientID, secret: secret, clock: clock)
    }

    /// PayPal has no customers apart from the vault: the payer is named on each order.
    public func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String { reference }

    public func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge {
        let vaultID: String
        switch request.method {
        case .card(let setupToken):
            let saved = try await send(.POST, "/v3/vault/payment-tokens", body: ["payment_source": ["token": ["id": setupToken, "type": "SETUP_TOKEN"]]], requestID: "vault-\(request.intentID)")
            guard let id = JSONFields.text(saved, "id") else { throw .invalidResponse(provider: provider, detail: "token de pago sin id") }
            vaultID = id
        case .savedCard(_, let paymentToken):
            vaultID = paymentToken
        case .cash, .spei:
            throw .unsupported(provider: provider, method: request.method.kind)
        }
        let order: [String: Any] = [
            "intent": "CAPTURE",
            "purchase_units": [[
                "reference_id": request.intentID, "custom_id": request.intentID, "invoice_id": request.intentID, "description": request.description,
                "amount": ["currency_code": request.amount.currency.code, "value": request.amount.decimalText],
            ]],
            "payment_source": ["card": ["vault_id": vaultID]],
        ]
        return try map(try await send(.POST, "/v2/checkout/orders", body: order, requestID: request.intentID))
    }

    /// Turns the setup token approved in the borrower's browser into a vault payment token (`POST /v3/vault/payment-tokens`),
    /// charged later as `payment_source.card.vault_id`.
    public func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard {
        let saved = try await send(.POST, "/v3/vault/payment-tokens", body: ["payment_source": ["token": ["id": token, "type": "SETUP_TOKEN"]]], requestID: "vault-\(token)")
        guard let id = JSONFields.text(saved, "id") else { throw .invalidResponse(provider: provider, detail: "token de pago sin id") }
        let card = (saved["payment_source"] as? [String: Any])?["card"] as? [String: Any] ?? [:]
        // PayPal writes the expiry as "YYYY-MM".
        let expiry = (JSONFields.text(card, "expiry") ?? "").split(separator: "-").compactMap { Int($0) }
        return SavedCard(
            id: id, brand: (JSONFields.text(card, "brand") ?? "card").lowercased(), last4: JSONFields.text(card, "last_digits") ?? "",
            expiryMonth: expiry.count == 2 ? expiry[1] : nil, expiryYear: expiry.count == 2 ? expiry[0] : nil
        )
    }

    public func removeCard(customerID: String, cardID: String) async throws(GatewayError) {
        do {
            _ = try await send(.DELETE, "/v3/vault/payment-tokens/\(FormEncoding.escape(cardID))", body: nil, requestID: nil)
        } catch .refused(_, 404, _, _) {
            return
        }
    }

    /// An order paid on PayPal's page (`payment_source.paypal` with a return URL; PayPal takes cards there too): the
    /// borrower approves it and comes back; Cartera then captures it.
    public func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout {
        let order: [String: Any] = [
            "intent": "CAPTURE",
            "purchase_units": [[
                "reference_id": request.intentID, "custom_id": request.intentID, "invoice_id": request.intentID, "description": request.description,
                "amount": ["currency_code": request.amount.currency.code, "value": request.amount.decimalText],
            ]],
            "payment_source": ["paypal": ["experience_context": [
                "return_url": request.returnURL, "cancel_url": request.returnURL, "user_action": "PAY_NOW", "shipping_preference": "NO_SHIPPING", "locale": "es-MX",
            ]]],
        ]
        let answer = try await send(.POST, "/v2/checkout/orders", body: order, requestID: request.intentID)
        let link = (answer["links"] as? [[String: Any]])?.first { ["payer-action", "approve"].contains(JSONFields.text($0, "rel") ?? "") }
        guard let id = JSONFields.text(answer, "id"), let url = link.flatMap({ JSONFields.text($0, "href") }) else {
            throw .invalidResponse(provider: provider, detail: "orden sin id o enlace para el pagador")
        }
        return GatewayCheckout(url: url, chargeID: id, expiresAt: request.expiresAt)
    }

    /// The order as PayPal has it; one the payer approved on PayPal's page is captured first (once: the capture's
    /// `PayPal-Request-Id` is the order's).
    public func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge {
        let path = "/v2/checkout/orders/\(FormEncoding.escape(chargeID))"
        let order = try await send(.GET, path, body: nil, requestID: nil)
        guard JSONFields.text(order, "status") == "APPROVED" else { return try map(order) }
        do {
            return try map(try await send(.POST, path + "/capture", body: [:], requestID: "capture-\(chargeID)"))
        } catch .refused(_, 422, "INSTRUMENT_DECLINED", let detail) {
            // The card the payer approved was declined at capture: nothing was charged.
            return GatewayCharge(id: chargeID, outcome: .failed(code: "card_declined", message: detail), intentID: try map(order).intentID)
        }
    }

    /// An order is created under `PayPal-Request-Id` = the intent id: asking again with the same id answers the order
    /// PayPal made (within the 6 hours PayPal keeps request ids); an order never made is not made by the lookup, as the
    /// vault token is not given again.
    public func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge? {
        nil
    }

    public var findsByIntent: Bool { false }

    public func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome {
        let order = try await send(.GET, "/v2/checkout/orders/\(FormEncoding.escape(chargeID))", body: nil, requestID: nil)
        guard let capture = Self.capture(order), let captureID = JSONFields.text(capture, "id") else {
            throw .invalidResponse(provider: provider, detail: "orden sin cobro que reembolsar")
        }
        var body: [String: Any] = [:]
        if let amount { body["amount"] = ["currency_code": amount.currency.code, "value": amount.decimalText] }
        _ = try await send(.POST, "/v2/payments/captures/\(FormEncoding.escape(captureID))/refund", body: body, requestID: idempotencyKey)
        let after = try await send(.GET, "/v2/checkout/orders/\(FormEncoding.escape(chargeID))", body: nil, requestID: nil)
        return .refunded(total: Self.refunded(after))
    }

    public func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport? {
        guard type.hasPrefix("PAYMENT.CAPTURE.") || type.hasPrefix("CHECKOUT.ORDER."),
            let event = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any], let resource = event["resource"] as? [String: Any]
        else { return nil }
        // A capture names its order in supplementary_data; an order event is the order.
        let orderID = type.hasPrefix("CHECKOUT.ORDER.") ? JSONFields.text(resource, "id") : JSONFields.text(resource, "supplementary_data", "related_ids", "order_id")
        guard let orderID else { return nil }
        return GatewayEventReport(chargeID: orderID, intentID: JSONFields.text(resource, "custom_id"), outcome: nil)
    }

    // MARK: Wire

    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]?, requestID: String?, retried: Bool = false) async throws(GatewayError) -> [String: Any] {
        var headers = [("Authorization", "Bearer \(try await tokens.token())"), ("Prefer", "return=representation")]
        if let requestID { headers.append(("PayPal-Request-Id", String(requestID.prefix(108)))) }
        let (status, json) = try await client.sendJSON(method, path, headers: headers, body: body ?? (method == .GET || method == .DELETE ? nil : [:]), idempotent: method == .GET || method == .DELETE || requestID != nil)
        let object = json as? [String: Any] ?? [:]
        if (200..<300).contains(status) { return object }
        if status == 401, !retried {
            // An expired or revoked token: one new token, one more try.
            await tokens.invalidate()
            return try await send(method, path, body: body, requestID: requestID, retried: true)
        }
        let detail = (object["details"] as? [[String: Any]])?.first ?? [:]
        throw .refused(
            provider: provider, status: status, providerCode: JSONFields.text(detail, "issue") ?? JSONFields.text(object, "name"),
            detail: JSONFields.text(detail, "description") ?? JSONFields.text(object, "message") ?? "HTTP \(status)"
        )
    }

    static func capture(_ order: [String: Any]) -> [String: Any]? {
        (((order["purchase_units"] as? [[String: Any]])?.first?["payments"] as? [String: Any])?["captures"] as? [[String: Any]])?.first
    }

    static func refunded(_ order: [String: Any]) -> Money {
        let refunds = (((order["purchase_units"] as? [[String: Any]])?.first?["payments"] as? [String: Any])?["refunds"] as? [[String: Any]]) ?? []
        var total = Money(minorUnits: 0, currency: .mxn)
        // Only money that left: a PENDING refund may still fail.
        for refund in refunds where JSONFields.text(refund, "status") == "COMPLETED" {
            if let amount = JSONFields.pesos(refund, "amount", "value"), let sum = try? total.adding(amount) { total = sum }
        }
        return total
    }

    /// PayPal's processor response codes of a declined card, named as the other providers name them.
    static func declineCode(_ code: String?) -> String {
        switch code {
        case "5120": "insufficient_funds"
        case "5400": "expired_card"
        case "0500", "9500": "card_declined"
        case "5650", "00N7": "authentication_required"
        case let other?: "paypal_\(other)"
        case nil: "card_declined"
        }
    }

    func map(_ order: [String: Any]) throws(GatewayError) -> GatewayCharge {
        guard let id = JSONFields.text(order, "id"), let status = JSONFields.text(order, "status") else {
            throw .invalidResponse(provider: provider, detail: "orden sin id o status")
        }
        let capture = Self.capture(order)
        let outcome: GatewayOutcome
        switch (status, capture.flatMap { JSONFields.text($0, "status") }) {
        case (_, "COMPLETED"?), (_, "PARTIALLY_REFUNDED"?), (_, "REFUNDED"?):
            // The capture's currency as PayPal states it (a payment in another currency is not the intent's).
            guard let capture, let currency = JSONFields.text(capture, "amount", "currency_code").flatMap({ Currency(code: $0) }),
                let amount = JSONFields.pesos(capture, "amount", "value", currency: currency)
            else { throw .invalidResponse(provider: provider, detail: "cobro sin monto o moneda") }
            let fee = JSONFields.pesos(capture, "seller_receivable_breakdown", "paypal_fee", "value", currency: currency)
            outcome = .paid(amount: amount, fee: fee)
        case (_, "DECLINED"?), (_, "FAILED"?):
            let code = capture.flatMap { JSONFields.text($0, "processor_response", "response_code") }
            outcome = .failed(code: Self.declineCode(code), message: "PayPal rechazó el cobro de la tarjeta.")
        case ("VOIDED", _):
            outcome = .canceled
        default:
            outcome = .pending  // CREATED, APPROVED, PAYER_ACTION_REQUIRED, a PENDING capture
        }
        return GatewayCharge(
            id: id, outcome: outcome, paidAt: capture.flatMap { JSONFields.text($0, "create_time") }.flatMap { Timestamp(text: $0) ?? PayPalWebhookVerifier.isoDate($0) },
            refunded: Self.refunded(order),
            intentID: ((order["purchase_units"] as? [[String: Any]])?.first).flatMap { JSONFields.text($0, "custom_id") }
        )
    }
}
