import CarteraCore
import Foundation

/// The simulated PayPal REST app: OAuth2 tokens, vault setup and payment tokens, orders captured at once, capture
/// refunds, `PayPal-Request-Id` replays, in memory. Amounts are decimal strings on the wire and centavos here.
actor PayPalSandboxState {
    typealias Answer = SandboxAnswer

    struct Order: Sendable {
        var id: String
        var captureID: String
        var amount: Int64
        var captureStatus: String  // COMPLETED, DECLINED
        var responseCode: String
        var referenceID: String?
        var customID: String?
        var invoiceID: String?
        var description: String?
        var card: [String: any Sendable]
        var fee: Int64
        var refunds: [(id: String, amount: Int64, created: Timestamp)] = []
        var created: Timestamp
        /// COMPLETED (captured at once), or PAYER_ACTION_REQUIRED → APPROVED → COMPLETED for an order paid on the page.
        var status = "COMPLETED"
        var returnURL: String?
        var cancelURL: String?
    }

    private var tokens: [String: Timestamp] = [:]  // access token → expiry
    private var setupTokens: [String: [String: String]] = [:]  // id → card (number, name, expiry)
    private var paymentTokens: [String: [String: String]] = [:]
    private var orders: [String: Order] = [:]
    private var requests: [String: (body: Data, answer: Answer)] = [:]
    private var records = SandboxRecords<(type: String, orderID: String)>()

    func takeEvents() -> [(type: String, orderID: String)] { records.takeEvents() }

    private func newID(_ prefix: String) -> String { records.newID(prefix, digits: 4, random: 13, alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") }

    static func error(_ status: Int, _ name: String, _ message: String, issue: String? = nil) -> Answer {
        var object: [String: any Sendable] = ["name": name, "message": message, "debug_id": UUID().uuidString.prefix(13).lowercased()]
        if let issue { object["details"] = [["issue": issue, "description": message] as [String: any Sendable]] }
        return Answer(status: status, object: object)
    }

    // MARK: OAuth2

    func issueToken(now: Timestamp) -> Answer {
        let token = "A21AA" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        tokens[token] = now.adding(seconds: 32_400)
        return .ok(["scope": "https://uri.paypal.com/services/payments/payment", "access_token": token, "token_type": "Bearer", "app_id": "APP-CARTERA-SANDBOX", "expires_in": 32_400, "nonce": UUID().uuidString])
    }

    /// Whether `token` was issued and has not expired.
    func valid(_ token: String, now: Timestamp) -> Bool { tokens[token].map { now < $0 } ?? false }

    /// Runs one call; with a `PayPal-Request-Id`, the same id and body answer what they answered.
    func run(requestID: String?, body: Data, _ call: @Sendable (isolated PayPalSandboxState, Data) -> Answer) -> Answer {
        guard let requestID else { return call(self, body) }
        if let previous = requests[requestID] {
            return previous.body == body ? previous.answer : Self.error(422, "UNPROCESSABLE_ENTITY", "The PayPal-Request-Id was used with another request.", issue: "DUPLICATE_REQUEST_ID")
        }
        let answer = call(self, body)
        if answer.status < 500 { requests[requestID] = (body, answer) }
        return answer
    }

    // MARK: Vault

    func createSetupToken(_ json: Data) -> Answer {
        guard let card = ((Self.object(json)["payment_source"] as? [String: Any])?["card"] as? [String: Any]),
            let number = (card["number"] as? String)?.filter(\.isNumber), number.count >= 15
        else { return Self.error(400, "INVALID_REQUEST", "payment_source.card.number is required.", issue: "MISSING_REQUIRED_PARAMETER") }
        let id = newID("")
        setupTokens[id] = ["number": number, "name": (card["name"] as? String) ?? "", "expiry": (card["expiry"] as? String) ?? "2030-12"]
        return Answer(status: 201, object: ["id": id, "status": "APPROVED", "payment_source": ["card": Self.cardObject(setupTokens[id]!)] as [String: any Sendable]])
    }

    func createPaymentToken(_ json: Data) -> Answer {
        guard let token = ((Self.object(json)["payment_source"] as? [String: Any])?["token"] as? [String: Any]), token["type"] as? String == "SETUP_TOKEN",
            let id = token["id"] as? String, let card = setupTokens.removeValue(forKey: id)
        else { return Self.error(422, "UNPROCESSABLE_ENTITY", "The setup token is invalid or was already used.", issue: "TOKEN_NOT_FOUND") }
        let paymentToken = newID("")
        paymentTokens[paymentToken] = card
        return Answer(status: 201, object: ["id": paymentToken, "customer": ["id": newID("CUS")] as [String: any Sendable], "payment_source": ["card": Self.cardObject(card)] as [String: any Sendable]])
    }

    /// `DELETE /v3/vault/payment-tokens/{id}`: 204, or 404 for a token that is not there.
    func deletePaymentToken(_ id: String) -> Answer {
        guard paymentTokens.removeValue(forKey: id) != nil else {
            return Self.error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", issue: "INVALID_RESOURCE_ID")
        }
        return .noContent
    }

    static func cardObject(_ card: [String: String]) -> [String: any Sendable] {
        let number = card["number"] ?? ""
        return ["name": card["name"] ?? "", "last_digits": String(number.suffix(4)), "brand": number.hasPrefix("4") ? "VISA" : "MASTERCARD", "expiry": card["expiry"] ?? ""]
    }

    /// PayPal's negative-testing cardholder names: the processor response a card with that name gets.
    static func responseCode(_ name: String) -> String? {
        switch name.uppercased() {
        case "CCREJECT-IF": "5120"  // insufficient funds
        case "CCREJECT-REFUSED": "0500"  // do not honor
        case "CCREJECT-EC": "5400"  // expired card
        default: nil
        }
    }

    // MARK: Orders

    func createOrder(_ json: Data, now: Timestamp, pageBase: String) -> Answer {
        let body = Self.object(json)
        guard body["intent"] as? String == "CAPTURE" else { return Self.error(400, "INVALID_REQUEST", "intent must be CAPTURE.", issue: "INVALID_PARAMETER_VALUE") }
        guard let unit = (body["purchase_units"] as? [[String: Any]])?.first, let amount = unit["amount"] as? [String: Any],
            amount["currency_code"] as? String == "MXN", let value = amount["value"] as? String, let centavos = try? Money(parsing: value).minorUnits, centavos > 0
        else { return Self.error(400, "INVALID_REQUEST", "purchase_units[0].amount needs currency_code MXN and a value such as 100.00.", issue: "INVALID_PARAMETER_VALUE") }
        if let context = ((body["payment_source"] as? [String: Any])?["paypal"] as? [String: Any])?["experience_context"] as? [String: Any] {
            guard let returnURL = context["return_url"] as? String else {
                return Self.error(400, "INVALID_REQUEST", "payment_source.paypal.experience_context.return_url is required.", issue: "MISSING_REQUIRED_PARAMETER")
            }
            var order = Order(
                id: newID(""), captureID: newID(""), amount: centavos, captureStatus: "", responseCode: "0000", referenceID: unit["reference_id"] as? String,
                customID: unit["custom_id"] as? String, invoiceID: unit["invoice_id"] as? String, description: unit["description"] as? String, card: [:], fee: 0, created: now
            )
            order.status = "PAYER_ACTION_REQUIRED"
            order.returnURL = returnURL
            order.cancelURL = context["cancel_url"] as? String
            orders[order.id] = order
            var object = object(order)
            object["links"] = [
                ["href": "\(pageBase)/v2/checkout/orders/\(order.id)", "rel": "self", "method": "GET"] as [String: any Sendable],
                ["href": "\(pageBase)/_sandbox/checkout/\(order.id)", "rel": "payer-action", "method": "GET"] as [String: any Sendable],
            ]
            return Answer(status: 200, object: object)
        }
        guard let source = body["payment_source"] as? [String: Any], let card = source["card"] as? [String: Any] else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "This sandbox captures cards from the vault only (payment_source.card.vault_id).", issue: "PAYMENT_SOURCE_CANNOT_BE_USED")
        }
        guard let vaultID = card["vault_id"] as? String, let saved = paymentTokens[vaultID] else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "The vault_id is not a payment token of this app.", issue: "INVALID_VAULT_ID")
        }
        let code = Self.responseCode(saved["name"] ?? "")
        let order = Order(
            id: newID(""), captureID: newID(""), amount: centavos, captureStatus: code == nil ? "COMPLETED" : "DECLINED", responseCode: code ?? "0000",
            referenceID: unit["reference_id"] as? String, customID: unit["custom_id"] as? String, invoiceID: unit["invoice_id"] as? String,
            description: unit["description"] as? String, card: Self.cardObject(saved), fee: code == nil ? centavos * 395 / 10_000 + 400 : 0, created: now
        )
        orders[order.id] = order
        records.record((code == nil ? "PAYMENT.CAPTURE.COMPLETED" : "PAYMENT.CAPTURE.DENIED", order.id))
        return Answer(status: 201, object: object(order))
    }

    /// What the approval page shows of an order waiting for its payer.
    func awaitingPayer(_ id: String) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let order = orders[id], order.status == "PAYER_ACTION_REQUIRED" else { return nil }
        return (order.amount, order.description ?? "", order.cancelURL)
    }

    /// The payer approves the order on the page with a test card (a declined one is refused there), and goes back.
    func approve(_ id: String, card: SandboxCheckoutPage.Card) -> SandboxCheckoutPage.Result {
        guard var order = orders[id], order.status == "PAYER_ACTION_REQUIRED", let returnURL = order.returnURL else { return .notFound }
        guard card == .pays else {
            return .refused(card == .insufficientFunds ? "La tarjeta no tiene fondos suficientes." : "El banco rechazó la tarjeta.")
        }
        order.status = "APPROVED"
        order.card = ["name": "Ana Lopez", "last_digits": "4658", "brand": "VISA", "expiry": "2030-12"]
        orders[id] = order
        records.record(("CHECKOUT.ORDER.APPROVED", id))
        return .redirect(SandboxCheckoutPage.url(returnURL, adding: [("token", id), ("PayerID", "SANDBOXPAYER1")]))
    }

    /// `POST /v2/checkout/orders/{id}/capture`: an approved order is captured.
    func capture(_ id: String, now: Timestamp) -> Answer {
        guard var order = orders[id] else { return Self.error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", issue: "INVALID_RESOURCE_ID") }
        guard order.status == "APPROVED" else {
            return order.status == "COMPLETED"
                ? Self.error(422, "UNPROCESSABLE_ENTITY", "Order already captured.", issue: "ORDER_ALREADY_CAPTURED")
                : Self.error(422, "UNPROCESSABLE_ENTITY", "The payer has not approved the order.", issue: "ORDER_NOT_APPROVED")
        }
        order.status = "COMPLETED"
        order.captureStatus = "COMPLETED"
        order.fee = order.amount * 395 / 10_000 + 400
        order.created = now
        orders[id] = order
        records.record(("PAYMENT.CAPTURE.COMPLETED", id))
        return Answer(status: 201, object: object(order))
    }

    func order(_ id: String) -> Answer {
        guard let order = orders[id] else { return Self.error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", issue: "INVALID_RESOURCE_ID") }
        return .ok(object(order))
    }

    func refund(capture captureID: String, _ json: Data, now: Timestamp) -> Answer {
        guard var order = orders.values.first(where: { $0.captureID == captureID }) else {
            return Self.error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", issue: "INVALID_RESOURCE_ID")
        }
        guard order.captureStatus == "COMPLETED" else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "The capture cannot be refunded.", issue: "CAPTURE_FULLY_REFUNDED")
        }
        let left = order.amount - order.refunds.reduce(0) { $0 + $1.amount }
        var amount = left
        if let value = ((Self.object(json)["amount"] as? [String: Any])?["value"] as? String) {
            guard let parsed = try? Money(parsing: value).minorUnits, parsed > 0 else {
                return Self.error(400, "INVALID_REQUEST", "amount.value is not a decimal amount.", issue: "INVALID_PARAMETER_VALUE")
            }
            amount = parsed
        }
        guard amount <= left, left > 0 else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "The refund amount exceeds what is left of the capture.", issue: "REFUND_AMOUNT_EXCEEDED")
        }
        let refund = (id: newID(""), amount: amount, created: now)
        order.refunds.append(refund)
        orders[order.id] = order
        records.record(("PAYMENT.CAPTURE.REFUNDED", order.id))
        return Answer(status: 201, object: ["id": refund.id, "status": "COMPLETED", "amount": Self.amount(amount)])
    }

    /// The capture of an order, as a webhook's resource.
    func captureResource(_ orderID: String) -> [String: any Sendable]? {
        orders[orderID].map(capture)
    }

    func orderResource(_ orderID: String) -> [String: any Sendable]? {
        orders[orderID].map(object)
    }

    func summaries() -> [SandboxSummary] {
        orders.values.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.map { order in
            SandboxSummary(id: order.id, amount: order.amount, status: order.captureStatus.isEmpty ? order.status : captureStatus(order), method: "card", reference: order.card["last_digits"] as? String, pending: false)
        }
    }

    // MARK: Objects

    private func captureStatus(_ order: Order) -> String {
        let refunded = order.refunds.reduce(0) { $0 + $1.amount }
        guard order.captureStatus == "COMPLETED", refunded > 0 else { return order.captureStatus }
        return refunded == order.amount ? "REFUNDED" : "PARTIALLY_REFUNDED"
    }

    private func capture(_ order: Order) -> [String: any Sendable] {
        var capture: [String: any Sendable] = [
            "id": order.captureID, "status": captureStatus(order), "amount": Self.amount(order.amount), "final_capture": true,
            "processor_response": ["response_code": order.responseCode, "avs_code": "Y", "cvv_code": "M"] as [String: any Sendable],
            "supplementary_data": ["related_ids": ["order_id": order.id] as [String: any Sendable]] as [String: any Sendable],
            "create_time": order.created.text,
        ]
        if order.captureStatus == "COMPLETED" {
            capture["seller_receivable_breakdown"] = [
                "gross_amount": Self.amount(order.amount), "paypal_fee": Self.amount(order.fee), "net_amount": Self.amount(order.amount - order.fee),
            ] as [String: any Sendable]
        }
        capture["custom_id"] = order.customID
        capture["invoice_id"] = order.invoiceID
        return capture
    }

    private func object(_ order: Order) -> [String: any Sendable] {
        var payments: [String: any Sendable] = order.captureStatus.isEmpty ? [:] : ["captures": [capture(order)]]
        if !order.refunds.isEmpty {
            payments["refunds"] = order.refunds.map { ["id": $0.id, "status": "COMPLETED", "amount": Self.amount($0.amount), "create_time": $0.created.text] as [String: any Sendable] }
        }
        var unit: [String: any Sendable] = ["amount": Self.amount(order.amount), "payments": payments]
        unit["reference_id"] = order.referenceID
        unit["custom_id"] = order.customID
        unit["invoice_id"] = order.invoiceID
        unit["description"] = order.description
        let source: [String: any Sendable] =
            order.returnURL == nil ? ["card": order.card] : ["paypal": ["account_status": "VERIFIED", "email_address": "comprador@example.mx"] as [String: any Sendable]]
        return [
            "id": order.id, "status": order.status, "intent": "CAPTURE", "create_time": order.created.text, "update_time": order.created.text,
            "payment_source": source, "purchase_units": [unit],
        ]
    }

    static func amount(_ centavos: Int64) -> [String: any Sendable] {
        ["currency_code": "MXN", "value": Money(minorUnits: centavos, currency: .mxn).decimalText]
    }

    static func object(_ json: Data) -> [String: Any] { OpenpaySandboxState.object(json) }
}
