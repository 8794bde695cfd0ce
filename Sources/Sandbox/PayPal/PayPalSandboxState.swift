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
    /// id → card (number, name, expiry) or PayPal account (`kind` paypal), with `status` (APPROVED, PAYER_ACTION_REQUIRED,
    /// VAULTED once turned into a payment token) and, for one approved on the page, `return_url` / `cancel_url`.
    private var setupTokens: [String: [String: String]] = [:]
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

    /// `POST /v3/vault/setup-tokens`: a card (PayPal's card fields sent it; approved at once), or a PayPal account
    /// (`payment_source.paypal` with an `experience_context.return_url`), which the payer approves on PayPal's page.
    func createSetupToken(_ json: Data, pageBase: String) -> Answer {
        let source = Self.object(json)["payment_source"] as? [String: Any]
        if let paypal = source?["paypal"] as? [String: Any] {
            guard paypal["usage_type"] as? String == "MERCHANT", let context = paypal["experience_context"] as? [String: Any], let returnURL = context["return_url"] as? String
            else {
                return Self.error(400, "INVALID_REQUEST", "payment_source.paypal needs usage_type MERCHANT and experience_context.return_url.", issue: "MISSING_REQUIRED_PARAMETER")
            }
            let id = newID("")
            setupTokens[id] = ["kind": "paypal", "status": "PAYER_ACTION_REQUIRED", "return_url": returnURL, "cancel_url": (context["cancel_url"] as? String) ?? returnURL]
            return Answer(status: 201, object: setupTokenObject(id, pageBase: pageBase))
        }
        guard let card = source?["card"] as? [String: Any], let number = (card["number"] as? String)?.filter(\.isNumber), number.count >= 15 else {
            return Self.error(400, "INVALID_REQUEST", "payment_source.card.number is required.", issue: "MISSING_REQUIRED_PARAMETER")
        }
        let id = newID("")
        setupTokens[id] = ["number": number, "name": (card["name"] as? String) ?? "", "expiry": (card["expiry"] as? String) ?? "2030-12", "status": "APPROVED"]
        return Answer(status: 201, object: setupTokenObject(id, pageBase: pageBase))
    }

    /// `GET /v3/vault/setup-tokens/{id}`.
    func setupToken(_ id: String, pageBase: String) -> Answer {
        guard setupTokens[id] != nil else { return Self.error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", issue: "INVALID_RESOURCE_ID") }
        return .ok(setupTokenObject(id, pageBase: pageBase))
    }

    private func setupTokenObject(_ id: String, pageBase: String) -> [String: any Sendable] {
        let token = setupTokens[id] ?? [:]
        let status = token["status"] ?? "APPROVED"
        var links: [[String: any Sendable]] = [["href": "\(pageBase)/v3/vault/setup-tokens/\(id)", "rel": "self", "method": "GET"]]
        if status == "PAYER_ACTION_REQUIRED" { links.append(["href": "\(pageBase)/_sandbox/vault/\(id)", "rel": "approve", "method": "GET"]) }
        let source: [String: any Sendable] =
            token["kind"] == "paypal" ? ["paypal": Self.accountObject(token)] : ["card": Self.cardObject(token)]
        return ["id": id, "status": status, "payment_source": source, "links": links]
    }

    /// What the approval page shows of a PayPal account waiting to be saved (amount 0: nothing is paid).
    func awaitingVaultPayer(_ id: String) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let token = setupTokens[id], token["status"] == "PAYER_ACTION_REQUIRED" else { return nil }
        return (0, "Autorice a la financiera a cobrar con su cuenta PayPal.", token["cancel_url"])
    }

    /// The payer approves saving their PayPal account: a test card that is declined is refused on the page; one without
    /// funds is saved, and the charges made with it are declined (PayPal's negative-testing name `CCREJECT-IF`).
    func approveVault(_ id: String, card: SandboxCheckoutPage.Card) -> SandboxCheckoutPage.Result {
        guard var token = setupTokens[id], token["status"] == "PAYER_ACTION_REQUIRED", let returnURL = token["return_url"] else { return .notFound }
        guard card != .declined else { return .refused("El banco rechazó la tarjeta.") }
        token["status"] = "APPROVED"
        token["name"] = card == .pays ? "Ana Lopez" : "CCREJECT-IF"
        token["email"] = "comprador@example.mx"
        token["payer_id"] = "SANDBOXPAYER1"
        setupTokens[id] = token
        return .redirect(SandboxCheckoutPage.url(returnURL, adding: [("approval_token_id", id), ("approval_session_id", newID("AS"))]))
    }

    func createPaymentToken(_ json: Data) -> Answer {
        guard let token = ((Self.object(json)["payment_source"] as? [String: Any])?["token"] as? [String: Any]), token["type"] as? String == "SETUP_TOKEN",
            let id = token["id"] as? String, let setup = setupTokens[id], setup["status"] == "APPROVED"
        else { return Self.error(422, "UNPROCESSABLE_ENTITY", "The setup token is invalid, not approved or was already used.", issue: "TOKEN_NOT_FOUND") }
        setupTokens[id]?["status"] = "VAULTED"
        let paymentToken = newID("")
        paymentTokens[paymentToken] = setup
        let source: [String: any Sendable] = setup["kind"] == "paypal" ? ["paypal": Self.accountObject(setup)] : ["card": Self.cardObject(setup)]
        return Answer(status: 201, object: ["id": paymentToken, "customer": ["id": newID("CUS")] as [String: any Sendable], "payment_source": source])
    }

    static func accountObject(_ account: [String: String]) -> [String: any Sendable] {
        var object: [String: any Sendable] = ["usage_type": "MERCHANT", "customer_type": "CONSUMER"]
        object["email_address"] = account["email"]
        object["payer_id"] = account["payer_id"]
        return object
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
        let source = body["payment_source"] as? [String: Any]
        let kind = source?["paypal"] != nil ? "paypal" : "card"
        guard let vaulted = source?[kind] as? [String: Any], vaulted["vault_id"] != nil else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "This sandbox captures from the vault only (payment_source.card.vault_id or payment_source.paypal.vault_id).", issue: "PAYMENT_SOURCE_CANNOT_BE_USED")
        }
        guard let vaultID = vaulted["vault_id"] as? String, let saved = paymentTokens[vaultID], (saved["kind"] ?? "card") == kind else {
            return Self.error(422, "UNPROCESSABLE_ENTITY", "The vault_id is not a \(kind) payment token of this app.", issue: "INVALID_VAULT_ID")
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
