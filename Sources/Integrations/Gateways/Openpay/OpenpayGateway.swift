import CarteraCore
import Foundation
import NIOHTTP1
import Payments

/// Openpay México's API v1 (`https://api.openpay.mx`, test accounts at `https://sandbox-api.openpay.mx`): JSON bodies,
/// HTTP Basic with the private key `sk_…` as user and no password, every path under `/v1/{merchant id}`. Amounts are
/// decimal pesos (two decimals), read and written from their decimal text. A payment is a charge: a card token made
/// by Openpay.js with its `device_session_id`, a saved card, cash at Paynet stores (`store`) or SPEI (`bank_account`,
/// a CLABE with a reference). Openpay has no idempotency header: the intent id is the charge's `order_id`, which
/// Openpay keeps unique, and `lookup` finds the charge by it.
public struct OpenpayGateway: PaymentGateway {
    public let provider = GatewayProvider.openpay
    public let methods: Set<GatewayMethod.Kind> = [.card, .savedCard, .cash, .spei]
    public static let productionBaseURL = "https://api.openpay.mx"
    public static let sandboxBaseURL = "https://sandbox-api.openpay.mx"

    let client: ProviderHTTPClient
    let secretKey: String
    let merchantID: String

    public init(merchantID: String, secretKey: String, client: ProviderHTTPClient) {
        self.merchantID = merchantID
        self.secretKey = secretKey
        self.client = client
    }

    var root: String { "/v1/\(FormEncoding.escape(merchantID))" }

    public func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String {
        let object = try await send(.POST, root + "/customers", body: ["name": name, "email": email ?? ConektaGateway.placeholderEmail, "external_id": reference], idempotent: false)
        guard let id = JSONFields.text(object, "id") else { throw .invalidResponse(provider: provider, detail: "cliente sin id") }
        return id
    }

    public func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge {
        var body: [String: Any] = [
            "amount": NSDecimalNumber(string: request.amount.decimalText), "currency": request.amount.currency.code, "description": request.description,
            "order_id": request.intentID,
        ]
        var path = root + "/charges"
        let customer: [String: Any] = ["name": request.payerName, "email": request.payerEmail ?? ConektaGateway.placeholderEmail]
        switch request.method {
        case .card(let token):
            body["method"] = "card"
            body["source_id"] = token
            body["customer"] = customer
            body["device_session_id"] = request.deviceSessionID ?? ""
        case .savedCard(let customerID, let cardID):
            body["method"] = "card"
            body["source_id"] = cardID
            body["device_session_id"] = request.deviceSessionID ?? ""
            path = root + "/customers/\(FormEncoding.escape(customerID))/charges"
        case .cash(let expiresAt):
            body["method"] = "store"
            body["due_date"] = MexicoCityTime.text(expiresAt)
            body["customer"] = customer
        case .spei(_, let expiresAt):
            body["method"] = "bank_account"
            body["due_date"] = MexicoCityTime.text(expiresAt)
            body["customer"] = customer
        }
        do {
            return try map(try await send(.POST, path, body: body, idempotent: false))
        } catch {
            // A declined card is a 402 "gateway" error, with no charge created.
            if case .refused(_, 402, let code?, let detail) = error {
                return GatewayCharge(id: "declinado-\(request.intentID)", outcome: .failed(code: Self.declineCode(code), message: detail))
            }
            throw error
        }
    }

    /// `POST /v1/{merchant}/customers/{id}/cards` with the Openpay.js token and its `device_session_id`; the card id is
    /// charged later as `source_id` on the customer's charges.
    public func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard {
        var body: [String: Any] = ["token_id": token]
        if let deviceSessionID { body["device_session_id"] = deviceSessionID }
        let card = try await send(.POST, root + "/customers/\(FormEncoding.escape(customerID))/cards", body: body, idempotent: false)
        guard let id = JSONFields.text(card, "id") else { throw .invalidResponse(provider: provider, detail: "tarjeta guardada sin id") }
        let number = JSONFields.text(card, "card_number") ?? ""
        return SavedCard(
            id: id, brand: JSONFields.text(card, "brand") ?? "card", last4: String(number.suffix(4)),
            expiryMonth: JSONFields.text(card, "expiration_month").flatMap { Int($0) }, expiryYear: JSONFields.text(card, "expiration_year").flatMap { Int($0) }
        )
    }

    public func removeCard(customerID: String, cardID: String) async throws(GatewayError) {
        do {
            _ = try await sendJSON(.DELETE, root + "/customers/\(FormEncoding.escape(customerID))/cards/\(FormEncoding.escape(cardID))", body: nil, idempotent: true)
        } catch .refused(_, 404, _, _) {
            return
        }
    }

    /// A card charge with `confirm: "false"` and a `redirect_url`: Openpay answers the page where the borrower types
    /// the card (`payment_method.url`) and sends them back with the charge's id.
    public func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout {
        let body: [String: Any] = [
            "method": "card", "amount": NSDecimalNumber(string: request.amount.decimalText), "currency": request.amount.currency.code, "description": request.description,
            "order_id": request.intentID, "confirm": "false", "send_email": false, "redirect_url": request.returnURL,
            "customer": ["name": request.payerName, "email": request.payerEmail ?? ConektaGateway.placeholderEmail],
        ]
        let charge = try await send(.POST, root + "/charges", body: body, idempotent: false)
        guard let id = JSONFields.text(charge, "id"), let url = JSONFields.text(charge, "payment_method", "url") else {
            throw .invalidResponse(provider: provider, detail: "cargo sin id o payment_method.url")
        }
        return GatewayCheckout(url: url, chargeID: id, expiresAt: request.expiresAt)
    }

    public func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge {
        try map(try await send(.GET, root + "/charges/\(FormEncoding.escape(chargeID))", body: nil, idempotent: true))
    }

    public func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge? {
        let list = try await sendList(root + "/charges?order_id=\(FormEncoding.escape(intentID))")
        return try list.first { JSONFields.text($0, "order_id") == intentID }.map(map)
    }

    public func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome {
        var body: [String: Any] = ["description": "Reembolso \(idempotencyKey)"]
        if let amount { body["amount"] = NSDecimalNumber(string: amount.decimalText) }
        let charge = try await send(.POST, root + "/charges/\(FormEncoding.escape(chargeID))/refund", body: body, idempotent: false)
        let currency = JSONFields.text(charge, "currency").flatMap { Currency(code: $0.uppercased()) } ?? .mxn
        guard let refunded = (charge["refund"] as? [String: Any]).flatMap({ JSONFields.pesos($0, "amount", currency: currency) }) else {
            throw .invalidResponse(provider: provider, detail: "cargo sin reembolso")
        }
        return .refunded(total: refunded)
    }

    public func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport? {
        // Openpay signs nothing: only the transaction id is taken, and the charge is asked of Openpay.
        guard type.hasPrefix("charge."), let event = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let transaction = event["transaction"] as? [String: Any], let id = JSONFields.text(transaction, "id")
        else { return nil }
        return GatewayEventReport(chargeID: id, intentID: JSONFields.text(transaction, "order_id"), outcome: nil)
    }

    // MARK: Wire

    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]?, idempotent: Bool) async throws(GatewayError) -> [String: Any] {
        guard let object = try await sendJSON(method, path, body: body, idempotent: idempotent) as? [String: Any] else {
            throw .invalidResponse(provider: provider, detail: "respuesta sin objeto")
        }
        return object
    }

    func sendList(_ path: String) async throws(GatewayError) -> [[String: Any]] {
        guard let list = try await sendJSON(.GET, path, body: nil, idempotent: true) as? [[String: Any]] else {
            throw .invalidResponse(provider: provider, detail: "respuesta sin lista")
        }
        return list
    }

    func sendJSON(_ method: HTTPMethod, _ path: String, body: [String: Any]?, idempotent: Bool) async throws(GatewayError) -> Any {
        let credentials = Data("\(secretKey):".utf8).base64EncodedString()
        let (status, json) = try await client.sendJSON(method, path, headers: [("Authorization", "Basic \(credentials)")], body: body, idempotent: idempotent)
        if (200..<300).contains(status) { return json }
        let error = json as? [String: Any] ?? [:]
        throw .refused(
            provider: provider, status: status, providerCode: JSONFields.text(error, "error_code"), detail: JSONFields.text(error, "description") ?? "HTTP \(status)"
        )
    }

    /// Openpay's card error codes, named as the other providers name them.
    static func declineCode(_ code: String) -> String {
        switch code {
        case "3001": "card_declined"
        case "3002": "expired_card"
        case "3003": "insufficient_funds"
        case "3004", "3005": "fraudulent"
        case "3006": "not_allowed"
        default: "openpay_\(code)"
        }
    }

    func map(_ charge: [String: Any]) throws(GatewayError) -> GatewayCharge {
        guard let id = JSONFields.text(charge, "id"), let status = JSONFields.text(charge, "status") else {
            throw .invalidResponse(provider: provider, detail: "cargo sin id o status")
        }
        let currency = JSONFields.text(charge, "currency").flatMap { Currency(code: $0.uppercased()) } ?? .mxn
        let outcome: GatewayOutcome
        switch status {
        case "completed", "refunded":
            guard let amount = JSONFields.pesos(charge, "amount", currency: currency) else { throw .invalidResponse(provider: provider, detail: "cargo sin monto") }
            // Openpay's fee and its IVA: both leave the clearing account.
            let feeObject = charge["fee"] as? [String: Any]
            let fee = feeObject.flatMap { JSONFields.pesos($0, "amount", currency: currency) }.map { $0 + (feeObject.flatMap { JSONFields.pesos($0, "tax", currency: currency) } ?? Money(minorUnits: 0, currency: currency)) }
            outcome = .paid(amount: amount, fee: fee)
        case "failed":
            outcome = .failed(code: JSONFields.text(charge, "error_code").map(Self.declineCode) ?? "failed", message: JSONFields.text(charge, "error_message") ?? "Pago rechazado")
        case "cancelled":
            // A store or SPEI reference past its due date is cancelled by Openpay.
            outcome = JSONFields.text(charge, "due_date") != nil ? .expired : .canceled
        default:
            outcome = .pending  // in_progress, charge_pending
        }
        let method = charge["payment_method"] as? [String: Any] ?? [:]
        let type = JSONFields.text(method, "type")
        return GatewayCharge(
            id: id, outcome: outcome, cashReference: type == "store" ? JSONFields.text(method, "reference") : nil,
            voucherURL: type == "store" ? JSONFields.text(method, "barcode_url") : nil, clabe: type == "bank_transfer" ? JSONFields.text(method, "clabe") : nil,
            bankName: type == "bank_transfer" ? JSONFields.text(method, "bank") : nil, expiresAt: JSONFields.text(charge, "due_date").flatMap(MexicoCityTime.parse),
            paidAt: status == "completed" || status == "refunded" ? JSONFields.text(charge, "operation_date").flatMap(MexicoCityTime.parse) : nil,
            refunded: (charge["refund"] as? [String: Any]).flatMap { JSONFields.pesos($0, "amount", currency: currency) },
            intentID: JSONFields.text(charge, "order_id")
        )
    }
}
