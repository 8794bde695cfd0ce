import CarteraCore
import Foundation
import NIOHTTP1
import Payments

/// Conekta's API v2 (`https://api.conekta.io`): JSON bodies, `Authorization: Bearer key_…`, the version in
/// `Accept: application/vnd.conekta-v2.2.0+json`, Spanish messages (`Accept-Language: es`). A payment is an order with
/// one charge: a card token (`tok_…`) or a saved card (`src_…`), cash (`cash`: a reference for OXXO and other stores)
/// or SPEI (`spei`: a CLABE at STP). Amounts are centavos. Conekta documents no idempotency header, so a charge is
/// never repeated after a try that may have reached it: the intent id goes in the order's metadata and the charge's
/// `reference_id`, and `lookup` finds the order by it. The fee is on the charge's capture transaction.
public struct ConektaGateway: PaymentGateway {
    public let provider = GatewayProvider.conekta
    public let methods: Set<GatewayMethod.Kind> = [.card, .savedCard, .cash, .spei]
    public static let productionBaseURL = "https://api.conekta.io"
    /// The API version Cartera is written against.
    public static let accept = "application/vnd.conekta-v2.2.0+json"
    /// Conekta asks an email of every payer; a borrower without one is sent with this address (never delivered).
    public static let placeholderEmail = "sin-correo@cartera.invalid"

    let client: ProviderHTTPClient
    let secretKey: String

    public init(secretKey: String, client: ProviderHTTPClient) {
        self.secretKey = secretKey
        self.client = client
    }

    public func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String {
        let object = try await send(.POST, "/customers", body: ["name": name, "email": email ?? Self.placeholderEmail, "custom_reference": reference], idempotent: false)
        guard let id = JSONFields.text(object, "id") else { throw .invalidResponse(provider: provider, detail: "cliente sin id") }
        return id
    }

    public func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge {
        var paymentMethod: [String: Any]
        var customer: [String: Any] = ["name": request.payerName, "email": request.payerEmail ?? Self.placeholderEmail]
        switch request.method {
        case .card(let token):
            paymentMethod = ["type": "card", "token_id": token]
        case .savedCard(let customerID, let sourceID):
            paymentMethod = ["type": "card", "payment_source_id": sourceID]
            customer = ["customer_id": customerID]
        case .cash(let expiresAt):
            paymentMethod = ["type": "cash", "expires_at": expiresAt.millisecondsSince1970 / 1000]
        case .spei(_, let expiresAt):
            paymentMethod = ["type": "spei", "expires_at": expiresAt.millisecondsSince1970 / 1000]
        }
        let order: [String: Any] = [
            "currency": request.amount.currency.code, "customer_info": customer, "metadata": ["cartera_intent": request.intentID],
            "line_items": [["name": request.description, "unit_price": request.amount.minorUnits, "quantity": 1]],
            "charges": [["payment_method": paymentMethod, "reference_id": request.intentID]],
        ]
        let answer = try await send(.POST, "/orders", body: order, idempotent: false, declinedOrder: true)
        return try await map(answer, intentID: request.intentID)
    }

    /// `POST /customers/{id}/payment_sources` with the Conekta.js token; the source id is charged later as
    /// `payment_source_id`.
    public func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard {
        let source = try await send(.POST, "/customers/\(FormEncoding.escape(customerID))/payment_sources", body: ["type": "card", "token_id": token], idempotent: false)
        guard let id = JSONFields.text(source, "id") else { throw .invalidResponse(provider: provider, detail: "tarjeta guardada sin id") }
        return SavedCard(
            id: id, brand: JSONFields.text(source, "brand") ?? "card", last4: JSONFields.text(source, "last4") ?? "",
            expiryMonth: JSONFields.text(source, "exp_month").flatMap { Int($0) }, expiryYear: JSONFields.text(source, "exp_year").flatMap { Int($0) }
        )
    }

    public func removeCard(customerID: String, cardID: String) async throws(GatewayError) {
        do {
            _ = try await send(.DELETE, "/customers/\(FormEncoding.escape(customerID))/payment_sources/\(FormEncoding.escape(cardID))", body: nil, idempotent: true)
        } catch .refused(_, 404, _, _) {
            return
        }
    }

    /// An order with a `HostedPayment` checkout for cards: the order (its id known now) is paid on Conekta's page.
    public func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout {
        let order: [String: Any] = [
            "currency": request.amount.currency.code, "customer_info": ["name": request.payerName, "email": request.payerEmail ?? Self.placeholderEmail],
            "metadata": ["cartera_intent": request.intentID],
            "line_items": [["name": request.description, "unit_price": request.amount.minorUnits, "quantity": 1]],
            "checkout": [
                "type": "HostedPayment", "allowed_payment_methods": ["card"], "success_url": request.returnURL, "failure_url": request.returnURL,
                "expires_at": request.expiresAt.millisecondsSince1970 / 1000, "name": request.description, "monthly_installments_enabled": false,
            ] as [String: Any],
        ]
        let answer = try await send(.POST, "/orders", body: order, idempotent: false)
        guard let id = JSONFields.text(answer, "id"), let url = JSONFields.text(answer, "checkout", "url") else {
            throw .invalidResponse(provider: provider, detail: "orden sin id o checkout.url")
        }
        return GatewayCheckout(url: url, chargeID: id, expiresAt: JSONFields.integer(answer, "checkout", "expires_at").map { Timestamp(millisecondsSince1970: $0 * 1000) })
    }

    public func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge {
        try await map(try await send(.GET, "/orders/\(FormEncoding.escape(chargeID))", body: nil, idempotent: true), intentID: nil)
    }

    public func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge? {
        let list = try await send(.GET, "/orders?search=\(FormEncoding.escape(intentID))&limit=20", body: nil, idempotent: true)
        guard let order = (list["data"] as? [[String: Any]])?.first(where: { JSONFields.text($0, "metadata", "cartera_intent") == intentID }) else { return nil }
        return try await map(order, intentID: intentID)
    }

    public func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome {
        // Conekta asks the amount of every refund: all that is left when none is given.
        let path = "/orders/\(FormEncoding.escape(chargeID))"
        var cents = amount?.minorUnits
        if cents == nil {
            let order = try await send(.GET, path, body: nil, idempotent: true)
            cents = (JSONFields.integer(order, "amount") ?? 0) - (JSONFields.integer(order, "amount_refunded") ?? 0)
        }
        let order = try await send(.POST, path + "/refunds", body: ["amount": cents ?? 0, "reason": "requested_by_client"], idempotent: false)
        guard let currency = JSONFields.text(order, "currency").flatMap({ Currency(code: $0.uppercased()) }), let refunded = JSONFields.integer(order, "amount_refunded") else {
            throw .invalidResponse(provider: provider, detail: "orden sin amount_refunded")
        }
        return .refunded(total: Money(minorUnits: refunded, currency: currency))
    }

    public func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport? {
        guard type.hasPrefix("order."), let event = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let order = (event["data"] as? [String: Any])?["object"] as? [String: Any], let id = JSONFields.text(order, "id")
        else { return nil }
        let intentID = JSONFields.text(order, "metadata", "cartera_intent")
        let currency = JSONFields.text(order, "currency").flatMap { Currency(code: $0.uppercased()) } ?? .mxn
        let outcome: GatewayOutcome?
        switch type {
        case "order.paid":
            // The signed order states the payment; its fee (on the capture transaction) is asked of Conekta afterwards.
            outcome = JSONFields.integer(order, "amount").map { .paid(amount: Money(minorUnits: $0, currency: currency), fee: nil) }
        case "order.pending_payment": outcome = .pending
        case "order.expired": outcome = .expired
        case "order.canceled", "order.voided": outcome = .canceled
        case "order.declined": outcome = Self.failure(order)
        case "order.refunded", "order.partially_refunded":
            outcome = .refunded(total: Money(minorUnits: JSONFields.integer(order, "amount_refunded") ?? 0, currency: currency))
        default: return nil
        }
        let charge = ((order["charges"] as? [String: Any])?["data"] as? [[String: Any]])?.first ?? [:]
        return GatewayEventReport(
            chargeID: id, intentID: intentID, outcome: outcome, paidAt: JSONFields.integer(charge, "paid_at").map { Timestamp(millisecondsSince1970: $0 * 1000) }
        )
    }

    // MARK: Wire

    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]?, idempotent: Bool, declinedOrder: Bool = false) async throws(GatewayError) -> [String: Any] {
        let headers = [("Authorization", "Bearer \(secretKey)"), ("Accept", Self.accept), ("Accept-Language", "es")]
        let response = try await client.sendJSON(method, path, headers: headers, body: body, idempotent: idempotent)
        guard let object = response.json as? [String: Any] else { throw .invalidResponse(provider: provider, detail: "respuesta sin objeto") }
        if (200..<300).contains(response.status) { return object }
        let detail = (object["details"] as? [[String: Any]])?.first ?? [:]
        // A declined card is a processing error (402) that carries the declined order.
        if declinedOrder, response.status == 402, var order = object["data"] as? [String: Any] {
            order["_failure"] = ["code": Self.shortCode(JSONFields.text(detail, "code")), "message": JSONFields.text(detail, "message") ?? "Pago rechazado"]
            return order
        }
        throw .refused(
            provider: provider, status: response.status, providerCode: JSONFields.text(detail, "code") ?? JSONFields.text(object, "type"),
            detail: JSONFields.text(detail, "message") ?? JSONFields.text(detail, "debug_message") ?? "HTTP \(response.status)"
        )
    }

    /// `conekta.errors.processing.bank.insufficient_funds` → `insufficient_funds`.
    static func shortCode(_ code: String?) -> String {
        guard let code else { return "declined" }
        return code.split(separator: ".").last.map(String.init) ?? code
    }

    static func failure(_ order: [String: Any]) -> GatewayOutcome {
        if let failure = order["_failure"] as? [String: String] {
            return .failed(code: failure["code"] ?? "declined", message: failure["message"] ?? "Pago rechazado")
        }
        let charge = ((order["charges"] as? [String: Any])?["data"] as? [[String: Any]])?.first ?? [:]
        return .failed(code: JSONFields.text(charge, "failure_code") ?? "declined", message: JSONFields.text(charge, "failure_message") ?? "Pago rechazado")
    }

    func map(_ order: [String: Any], intentID: String?) async throws(GatewayError) -> GatewayCharge {
        guard let status = JSONFields.text(order, "payment_status"),
            let currency = JSONFields.text(order, "currency").flatMap({ Currency(code: $0.uppercased()) })
        else {
            throw .invalidResponse(provider: provider, detail: "orden sin payment_status o currency")
        }
        // A declined order without an id (none created) is named after the intent.
        guard let id = JSONFields.text(order, "id") ?? intentID.map({ "declinado-\($0)" }) else {
            throw .invalidResponse(provider: provider, detail: "orden sin id")
        }
        let charge = ((order["charges"] as? [String: Any])?["data"] as? [[String: Any]])?.first ?? [:]
        let method = charge["payment_method"] as? [String: Any] ?? [:]
        let outcome: GatewayOutcome
        switch status {
        case "paid", "partially_refunded", "refunded":
            let amount = JSONFields.integer(order, "amount") ?? 0
            outcome = .paid(amount: Money(minorUnits: amount, currency: currency), fee: (try? await fee(of: JSONFields.text(charge, "id")))?.map { Money(minorUnits: $0, currency: currency) })
        case "declined": outcome = Self.failure(order)
        case "expired": outcome = .expired
        case "canceled", "voided": outcome = .canceled
        default: outcome = .pending  // pending_payment, pre_authorized
        }
        let expires = JSONFields.integer(method, "expires_at").flatMap { $0 > 0 ? Timestamp(millisecondsSince1970: $0 * 1000) : nil }
        return GatewayCharge(
            id: id, outcome: outcome, cashReference: JSONFields.text(method, "type") == "cash" || JSONFields.text(method, "object") == "cash_payment" ? JSONFields.text(method, "reference") : nil,
            voucherURL: JSONFields.text(method, "barcode_url"), clabe: JSONFields.text(method, "clabe"), bankName: JSONFields.text(method, "bank"), expiresAt: expires,
            paidAt: JSONFields.integer(charge, "paid_at").map { Timestamp(millisecondsSince1970: $0 * 1000) },
            refunded: JSONFields.integer(order, "amount_refunded").map { Money(minorUnits: $0, currency: currency) },
            intentID: JSONFields.text(order, "metadata", "cartera_intent")
        )
    }

    /// What Conekta kept of a paid charge: the fee of its capture transaction (nil while Conekta has none yet).
    func fee(of chargeID: String?) async throws(GatewayError) -> Int64? {
        guard let chargeID else { return nil }
        let list = try await send(.GET, "/transactions?charge_id=\(FormEncoding.escape(chargeID))&type=capture", body: nil, idempotent: true)
        return (list["data"] as? [[String: Any]])?.first.flatMap { JSONFields.integer($0, "fee") }
    }
}
