import CarteraCore
import Foundation

/// The simulated Stripe account: its customers, payment intents and refunds, in memory.
actor StripeSandboxState {
    typealias Answer = SandboxAnswer

    struct Intent: Sendable {
        var id: String
        var amount: Int64
        var currency: String
        var status: String
        var customer: String?
        var description: String?
        var metadata: [String: String]
        var method: String
        var received: Int64 = 0
        var fee: Int64 = 0
        var refunded: Int64 = 0
        var chargeID: String?
        var lastError: [String: any Sendable]?
        var nextAction: [String: any Sendable]?
        var created: Int64
        /// When its charge succeeded (seconds since 1970).
        var paid: Int64?
    }

    /// A card PaymentMethod made from a test token or test PaymentMethod, attached to a customer or not.
    struct SavedMethod: Sendable {
        var id: String
        /// The test token it was made from, which decides how charges to it go.
        var source: String
        var customer: String?
        var created: Int64
    }

    private var customers: [String: [String: any Sendable]] = [:]
    private var paymentMethods: [String: SavedMethod] = [:]
    private var sessions: [String: Session] = [:]

    /// A Checkout Session, in payment mode (one line item) or setup mode (a card saved on a customer).
    struct Session: Sendable {
        var id: String
        var mode = "payment"
        var customer: String?
        var setupIntent: String?
        var amount: Int64
        var currency: String
        var name: String
        var metadata: [String: String]
        var intentMetadata: [String: String]
        var intentDescription: String?
        var clientReference: String?
        var successURL: String
        var cancelURL: String?
        var expiresAt: Int64
        var created: Int64
        var status = "open"
        var paymentIntent: String?
    }
    private var intents: [String: Intent] = [:]
    /// SetupIntents made by setup-mode sessions: id → (status, PaymentMethod, metadata, created).
    private var setupIntents: [String: (status: String, paymentMethod: String?, metadata: [String: String], created: Int64)] = [:]
    private var idempotency: [String: (body: String, answer: Answer)] = [:]
    /// Events to deliver to the webhook endpoint, in order.
    private var records = SandboxRecords<[String: any Sendable]>()

    /// The events recorded since the last call.
    func takeEvents() -> [[String: any Sendable]] { records.takeEvents() }

    private func emit(_ type: String, _ object: [String: any Sendable], at now: Timestamp) {
        records.record([
            "id": newID("evt_"), "object": "event", "type": type, "created": now.millisecondsSince1970 / 1000, "livemode": false,
            "api_version": "2026-06-24.dahlia", "pending_webhooks": 1, "data": ["object": object] as [String: any Sendable],
        ])
    }

    func idempotent(_ key: String) -> (body: String, answer: Answer)? { idempotency[key] }

    func remember(_ key: String, body: String, answer: Answer) { idempotency[key] = (body, answer) }

    private func newID(_ prefix: String) -> String { records.newID(prefix) }

    func createCustomer(_ form: [(String, String)]) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        let id = newID("cus_")
        var customer: [String: any Sendable] = ["id": id, "object": "customer", "metadata": Self.metadata(form)]
        customer["name"] = values["name"]
        customer["email"] = values["email"]
        customers[id] = customer
        return .ok(customer)
    }

    /// `POST /v1/payment_methods` with `type=card` and `card[token]=tok_…`.
    func createPaymentMethod(_ form: [(String, String)], now: Timestamp) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        guard values["type"] == "card" else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_invalid_empty", message: "This sandbox makes card PaymentMethods only.", extra: ["param": "type"])
        }
        guard let token = values["card[token]"], !Self.isUnknown(token) else {
            return .stripeError(400, type: "invalid_request_error", code: "resource_missing", message: "No such token: '\(values["card[token]"] ?? "")'", extra: ["param": "card[token]"])
        }
        let method = SavedMethod(id: newID("pm_"), source: token, customer: nil, created: now.millisecondsSince1970 / 1000)
        paymentMethods[method.id] = method
        return .ok(Self.object(method))
    }

    /// `POST /v1/payment_methods/{id}/attach`: a test PaymentMethod (`pm_card_visa`…) is copied into a new one, as
    /// Stripe does; a PaymentMethod already attached to another customer is refused.
    func attach(_ id: String, _ form: [(String, String)], now: Timestamp) -> Answer {
        guard let customer = form.first(where: { $0.0 == "customer" })?.1 else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "Missing required param: customer.", extra: ["param": "customer"])
        }
        guard customers[customer] != nil else {
            return .stripeError(400, type: "invalid_request_error", code: "resource_missing", message: "No such customer: '\(customer)'", extra: ["param": "customer"])
        }
        var method: SavedMethod
        if let saved = paymentMethods[id] {
            guard saved.customer == nil || saved.customer == customer else {
                return .stripeError(400, type: "invalid_request_error", code: "payment_method_unexpected_state",
                                    message: "The payment method you provided has already been attached to a customer.")
            }
            method = saved
        } else if id.hasPrefix("pm_card_"), !Self.isUnknown(id) {
            method = SavedMethod(id: newID("pm_"), source: id, customer: nil, created: now.millisecondsSince1970 / 1000)
        } else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such PaymentMethod: '\(id)'", extra: ["param": "payment_method"])
        }
        method.customer = customer
        paymentMethods[method.id] = method
        return .ok(Self.object(method))
    }

    /// `POST /v1/payment_methods/{id}/detach`.
    func detach(_ id: String) -> Answer {
        guard var method = paymentMethods[id] else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such PaymentMethod: '\(id)'", extra: ["param": "payment_method"])
        }
        guard method.customer != nil else {
            return .stripeError(400, type: "invalid_request_error", code: "payment_method_unexpected_state", message: "The payment method you provided is not attached to a customer so detachment is impossible.")
        }
        method.customer = nil
        paymentMethods[id] = method
        return .ok(Self.object(method))
    }

    static func isUnknown(_ method: String) -> Bool {
        if case .unknown = card(method) { return true }
        return false
    }

    /// A PaymentMethod as Stripe shows it: brand, last four digits and expiry of the test card behind it.
    static func object(_ method: SavedMethod) -> [String: any Sendable] {
        let (brand, last4): (String, String) =
            switch method.source {
            case let source where source.contains("mastercard"): ("mastercard", "4444")
            case let source where source.hasSuffix("_mx"): ("visa", "8001")
            case let source where source.contains("InsufficientFunds"): ("visa", "9995")
            case let source where source.contains("StolenCard"): ("visa", "9979")
            case let source where source.contains("chargeDeclined"): ("visa", "0002")
            default: ("visa", "4242")
            }
        var object: [String: any Sendable] = [
            "id": method.id, "object": "payment_method", "type": "card", "created": method.created, "livemode": false,
            "card": ["brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034, "country": "MX", "funding": "credit"] as [String: any Sendable],
        ]
        object["customer"] = method.customer
        return object
    }

    /// `POST /v1/checkout/sessions` (mode `payment`, one line item with `price_data`); its `url` is the sandbox's page.
    func createCheckoutSession(_ form: [(String, String)], now: Timestamp, pageBase: String) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        if values["mode"] == "setup" { return createSetupSession(form, now: now, pageBase: pageBase) }
        guard values["mode"] == "payment" else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_invalid_empty", message: "This sandbox makes payment-mode and setup-mode sessions only.", extra: ["param": "mode"])
        }
        guard let amount = values["line_items[][price_data][unit_amount]"].flatMap({ Int64($0) }), amount >= 1_000,
            values["line_items[][price_data][currency]"] == "mxn", let name = values["line_items[][price_data][product_data][name]"]
        else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "line_items[0][price_data] needs currency mxn, unit_amount ≥ 1000 and product_data[name].", extra: ["param": "line_items"])
        }
        let success: String, expires: Int64
        switch Self.sessionLimits(values, now: now) {
        case .success(let limits): (success, expires) = limits
        case .failure(let refusal): return refusal.answer
        }
        let nowSeconds = now.millisecondsSince1970 / 1000
        var intentMetadata: [String: String] = [:]
        for (key, value) in form where key.hasPrefix("payment_intent_data[metadata][") && key.hasSuffix("]") {
            intentMetadata[String(key.dropFirst("payment_intent_data[metadata][".count).dropLast())] = value
        }
        let session = Session(
            id: newID("cs_test_"), amount: amount, currency: "mxn", name: name, metadata: Self.metadata(form), intentMetadata: intentMetadata,
            intentDescription: values["payment_intent_data[description]"], clientReference: values["client_reference_id"], successURL: success,
            cancelURL: values["cancel_url"], expiresAt: expires, created: nowSeconds
        )
        sessions[session.id] = session
        return .ok(Self.object(session, pageBase: pageBase))
    }

    /// A refused request, as an error to carry in a `Result`.
    struct Refusal: Error {
        let answer: Answer
    }

    /// A session's `success_url` (required) and `expires_at` (30 minutes to 24 hours ahead; 24 hours when not given).
    static func sessionLimits(_ values: [String: String], now: Timestamp) -> Result<(String, Int64), Refusal> {
        guard let success = values["success_url"] else {
            return .failure(Refusal(answer: .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "Missing required param: success_url.", extra: ["param": "success_url"])))
        }
        let nowSeconds = now.millisecondsSince1970 / 1000
        let expires = values["expires_at"].flatMap { Int64($0) } ?? nowSeconds + 86_400
        guard expires >= nowSeconds + 1_800 - 60, expires <= nowSeconds + 86_400 else {
            return .failure(Refusal(answer: .stripeError(
                400, type: "invalid_request_error", code: "parameter_invalid_integer", message: "expires_at must be between 30 minutes and 24 hours from now.", extra: ["param": "expires_at"]
            )))
        }
        return .success((success, expires))
    }

    /// `POST /v1/checkout/sessions` with `mode=setup`: a card saved on `customer` (which must exist); `currency` or
    /// `payment_method_types[]` is required, as Stripe asks.
    private func createSetupSession(_ form: [(String, String)], now: Timestamp, pageBase: String) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        guard let customer = values["customer"], customers[customer] != nil else {
            return .stripeError(400, type: "invalid_request_error", code: "resource_missing", message: "No such customer: '\(values["customer"] ?? "")'", extra: ["param": "customer"])
        }
        guard values["currency"] == "mxn" || values["payment_method_types[]"] == "card" else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "currency is required in setup mode when payment_method_types is not passed.", extra: ["param": "currency"])
        }
        let success: String, expires: Int64
        switch Self.sessionLimits(values, now: now) {
        case .success(let limits): (success, expires) = limits
        case .failure(let refusal): return refusal.answer
        }
        let nowSeconds = now.millisecondsSince1970 / 1000
        var intentMetadata: [String: String] = [:]
        for (key, value) in form where key.hasPrefix("setup_intent_data[metadata][") && key.hasSuffix("]") {
            intentMetadata[String(key.dropFirst("setup_intent_data[metadata][".count).dropLast())] = value
        }
        var session = Session(
            id: newID("cs_test_"), amount: 0, currency: "mxn", name: "Guardar tarjeta", metadata: Self.metadata(form), intentMetadata: intentMetadata,
            intentDescription: nil, clientReference: values["client_reference_id"], successURL: success, cancelURL: values["cancel_url"], expiresAt: expires,
            created: nowSeconds
        )
        session.mode = "setup"
        session.customer = customer
        sessions[session.id] = session
        return .ok(Self.object(session, pageBase: pageBase))
    }

    /// `GET /v1/checkout/sessions/{id}`, expanding `setup_intent` and `setup_intent.payment_method` when asked.
    func checkoutSession(_ id: String, pageBase: String, expanding: Set<String> = [], now: Timestamp) -> Answer {
        guard var session = sessions[id] else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such checkout.session: '\(id)'", extra: ["param": "session"])
        }
        if session.status == "open", session.expiresAt <= now.millisecondsSince1970 / 1000 {
            session.status = "expired"
            sessions[id] = session
        }
        var object = Self.object(session, pageBase: pageBase)
        if let setupID = session.setupIntent, let setup = setupIntents[setupID], expanding.contains("setup_intent") || expanding.contains("setup_intent.payment_method") {
            var intent: [String: any Sendable] = [
                "id": setupID, "object": "setup_intent", "status": setup.status, "customer": session.customer ?? NSNull(), "usage": "off_session",
                "metadata": setup.metadata, "created": setup.created, "livemode": false, "payment_method_types": ["card"],
            ]
            if let method = setup.paymentMethod {
                intent["payment_method"] = expanding.contains("setup_intent.payment_method") ? paymentMethods[method].map { Self.object($0) } ?? NSNull() : method
            }
            object["setup_intent"] = intent
        }
        return .ok(object)
    }

    /// What the page shows of an open session (amount 0: a card to save, nothing to pay).
    func openSession(_ id: String, now: Timestamp) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let session = sessions[id], session.status == "open", session.expiresAt > now.millisecondsSince1970 / 1000 else { return nil }
        return (session.amount, session.name, session.cancelURL)
    }

    /// The borrower saves a card on a setup-mode page: the test card is copied into a PaymentMethod attached to the
    /// customer, through a succeeded SetupIntent. As in Stripe's test mode, a card declined by its bank is refused here,
    /// while one that only lacks funds is saved (its charges fail later).
    private func saveCardOnPage(_ id: String, session: Session, card: SandboxCheckoutPage.Card, now: Timestamp, pageBase: String) -> SandboxCheckoutPage.Result {
        guard card != .declined else { return .refused("Your card was declined.") }
        let source = card == .pays ? "pm_card_visa" : "pm_card_chargeDeclinedInsufficientFunds"
        let nowSeconds = now.millisecondsSince1970 / 1000
        let method = SavedMethod(id: newID("pm_"), source: source, customer: session.customer, created: nowSeconds)
        paymentMethods[method.id] = method
        let setupID = newID("seti_")
        setupIntents[setupID] = ("succeeded", method.id, session.intentMetadata, nowSeconds)
        var done = session
        done.status = "complete"
        done.setupIntent = setupID
        sessions[id] = done
        emit(
            "setup_intent.succeeded",
            ["id": setupID, "object": "setup_intent", "status": "succeeded", "customer": session.customer ?? NSNull(), "payment_method": method.id, "metadata": session.intentMetadata],
            at: now
        )
        emit("checkout.session.completed", Self.object(done, pageBase: pageBase), at: now)
        return .redirect(done.successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: id))
    }

    /// The borrower pays on the page: the PaymentIntent is made with the chosen test card; declined, the page says so
    /// and the session stays open.
    func payCheckout(_ id: String, card: SandboxCheckoutPage.Card, now: Timestamp, pageBase: String) -> SandboxCheckoutPage.Result {
        guard var session = sessions[id], session.status == "open", session.expiresAt > now.millisecondsSince1970 / 1000 else { return .notFound }
        if session.mode == "setup" { return saveCardOnPage(id, session: session, card: card, now: now, pageBase: pageBase) }
        let method: String =
            switch card {
            case .pays: "pm_card_visa"
            case .insufficientFunds: "pm_card_chargeDeclinedInsufficientFunds"
            case .declined: "pm_card_chargeDeclined"
            }
        var form: [(String, String)] = [
            ("amount", String(session.amount)), ("currency", session.currency), ("payment_method", method), ("payment_method_types[]", "card"), ("confirm", "true"),
        ]
        if let description = session.intentDescription { form.append(("description", description)) }
        for (key, value) in session.intentMetadata.sorted(by: { $0.key < $1.key }) { form.append(("metadata[\(key)]", value)) }
        let intent: String
        if let existing = session.paymentIntent, var retried = intents[existing] {
            // The session keeps one PaymentIntent: another card after a decline confirms it again.
            retried.method = method
            switch Self.card(method) {
            case .succeeds:
                retried.lastError = nil
                succeed(&retried, now: now)
                intents[existing] = retried
                emit("payment_intent.succeeded", object(retried, expanding: ["latest_charge"]), at: now)
            case .declined(let code, let declineCode, let message):
                retried.lastError = ["type": "card_error", "code": code, "decline_code": declineCode, "message": message]
                intents[existing] = retried
                emit("payment_intent.payment_failed", object(retried, expanding: []), at: now)
                return .refused(message)
            case .unknown:
                return .refused("No such PaymentMethod: '\(method)'")
            }
            intent = existing
        } else {
            let answer = createPaymentIntent(form, now: now, voucherBase: pageBase)
            let made = (answer.object["id"] as? String) ?? (((answer.object["error"] as? [String: any Sendable])?["payment_intent"] as? [String: any Sendable])?["id"] as? String)
            session.paymentIntent = made
            sessions[id] = session
            guard answer.status == 200, let made else {
                return .refused(((answer.object["error"] as? [String: any Sendable])?["message"] as? String) ?? "Your card was declined.")
            }
            intent = made
        }
        session.status = "complete"
        session.paymentIntent = intent
        sessions[id] = session
        emit("checkout.session.completed", Self.object(session, pageBase: pageBase), at: now)
        return .redirect(session.successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: session.id))
    }

    static func object(_ session: Session, pageBase: String) -> [String: any Sendable] {
        var object: [String: any Sendable] = [
            "id": session.id, "object": "checkout.session", "mode": session.mode, "status": session.status,
            "payment_status": session.mode == "setup" ? "no_payment_required" : session.status == "complete" ? "paid" : "unpaid",
            "amount_total": session.mode == "setup" ? NSNull() : session.amount, "currency": session.currency,
            "metadata": session.metadata, "success_url": session.successURL, "expires_at": session.expiresAt, "created": session.created, "livemode": false,
            "url": session.status == "open" ? "\(pageBase)/_sandbox/checkout/\(session.id)" : NSNull(),
        ]
        object["cancel_url"] = session.cancelURL
        object["client_reference_id"] = session.clientReference
        object["payment_intent"] = session.paymentIntent
        object["customer"] = session.customer
        object["setup_intent"] = session.setupIntent
        return object
    }

    func createPaymentIntent(_ form: [(String, String)], now: Timestamp, voucherBase: String) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        guard let amountText = values["amount"], let amount = Int64(amountText) else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "Missing required param: amount.", extra: ["param": "amount"])
        }
        guard let currency = values["currency"], currency == "mxn" else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_invalid_empty", message: "Invalid currency: \(values["currency"] ?? "")", extra: ["param": "currency"])
        }
        guard amount >= 1_000 else {
            return .stripeError(400, type: "invalid_request_error", code: "amount_too_small", message: "Amount must be at least $10.00 mxn", extra: ["param": "amount"])
        }
        let types = form.filter { $0.0 == "payment_method_types[]" }.map(\.1)
        var method = values["payment_method"] ?? values["payment_method_data[card][token]"] ?? values["payment_method_data[type]"] ?? types.first ?? "card"
        if let customer = values["customer"], customers[customer] == nil {
            return .stripeError(400, type: "invalid_request_error", code: "resource_missing", message: "No such customer: '\(customer)'", extra: ["param": "customer"])
        }
        if let saved = paymentMethods[method] {
            // A saved card is charged only for the customer it is attached to.
            guard let owner = saved.customer, owner == values["customer"] else {
                return .stripeError(400, type: "invalid_request_error", code: "payment_method_unexpected_state",
                                    message: "The provided PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.")
            }
            method = saved.source
        }
        var intent = Intent(
            id: newID("pi_"), amount: amount, currency: currency, status: "requires_payment_method", customer: values["customer"],
            description: values["description"], metadata: Self.metadata(form), method: method, created: now.millisecondsSince1970 / 1000
        )
        let confirm = values["confirm"] == "true"
        if confirm {
            if types.contains("oxxo") || method == "oxxo" {
                let days = Int64(values["payment_method_options[oxxo][expires_after_days]"] ?? "3") ?? 3
                let number = String(format: "%014lld", Int64.random(in: 10_000_000_000_000...99_999_999_999_999))
                intent.status = "requires_action"
                intent.nextAction = ["type": "oxxo_display_details", "oxxo_display_details": [
                    "number": number, "expires_after": now.millisecondsSince1970 / 1000 + days * 86_400,
                    "hosted_voucher_url": "\(voucherBase)/_sandbox/vouchers/\(intent.id)",
                ] as [String: any Sendable]]
            } else if types.contains("customer_balance") || method == "customer_balance" {
                guard intent.customer != nil else {
                    return .stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "A customer is required for customer_balance payments.", extra: ["param": "customer"])
                }
                intent.status = "requires_action"
                // An STP CLABE (bank 646, plaza 180) with a valid check digit, as Stripe's Mexican bank transfers give.
                let clabe = CLABE.make(bankPrefix: "646", plaza: "180", account: String(format: "%011lld", Int64.random(in: 0...99_999_999_999)))!
                intent.nextAction = ["type": "display_bank_transfer_instructions", "display_bank_transfer_instructions": [
                    "type": "mx_bank_transfer", "amount_remaining": amount, "currency": currency, "reference": String(intent.id.suffix(8)).uppercased(),
                    "financial_addresses": [["type": "spei", "supported_networks": ["spei"], "spei": [
                        "bank_code": "646", "bank_name": "STP", "clabe": clabe, "account_holder_name": "Cartera Sandbox",
                    ] as [String: any Sendable]] as [String: any Sendable]],
                ] as [String: any Sendable]]
            } else {
                switch Self.card(method) {
                case .succeeds:
                    succeed(&intent, now: now)
                case .declined(let code, let declineCode, let message):
                    intent.lastError = ["type": "card_error", "code": code, "decline_code": declineCode, "message": message]
                    intents[intent.id] = intent
                    emit("payment_intent.payment_failed", object(intent, expanding: []), at: now)
                    return .stripeError(402, type: "card_error", code: code, message: message,
                                  extra: ["decline_code": declineCode, "payment_intent": object(intent, expanding: Self.expansions(form))])
                case .unknown:
                    return .stripeError(400, type: "invalid_request_error", code: "resource_missing", message: "No such PaymentMethod: '\(method)'", extra: ["param": "payment_method"])
                }
            }
        }
        intents[intent.id] = intent
        switch intent.status {
        case "succeeded": emit("payment_intent.succeeded", object(intent, expanding: ["latest_charge"]), at: now)
        case "requires_action": emit("payment_intent.requires_action", object(intent, expanding: []), at: now)
        default: break
        }
        return .ok(object(intent, expanding: Self.expansions(form)))
    }

    func paymentIntent(_ id: String, expanding: Set<String>) -> Answer {
        guard let intent = intents[id] else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent: '\(id)'", extra: ["param": "intent"])
        }
        return .ok(object(intent, expanding: expanding))
    }

    func refund(_ form: [(String, String)], now: Timestamp) -> Answer {
        let values = Dictionary(form, uniquingKeysWith: { _, last in last })
        guard let id = values["payment_intent"], var intent = intents[id] else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent: '\(values["payment_intent"] ?? "")'")
        }
        guard intent.status == "succeeded" else {
            return .stripeError(400, type: "invalid_request_error", code: "charge_not_succeeded", message: "This PaymentIntent does not have a successful charge to refund.")
        }
        let remaining = intent.received - intent.refunded
        guard remaining > 0 else {
            return .stripeError(400, type: "invalid_request_error", code: "charge_already_refunded", message: "Charge \(intent.chargeID ?? "") has already been refunded.")
        }
        let amount = values["amount"].flatMap { Int64($0) } ?? remaining
        guard amount > 0, amount <= remaining else {
            return .stripeError(400, type: "invalid_request_error", code: "amount_too_large",
                          message: "Refund amount ($\(Self.pesos(amount))) is greater than unrefunded amount on charge ($\(Self.pesos(remaining)))", extra: ["param": "amount"])
        }
        intent.refunded += amount
        intents[id] = intent
        if let charge = object(intent, expanding: ["latest_charge"])["latest_charge"] as? [String: any Sendable] {
            emit("charge.refunded", charge, at: now)
        }
        return .ok([
            "id": newID("re_"), "object": "refund", "amount": amount, "currency": intent.currency, "payment_intent": id, "charge": intent.chargeID ?? "",
            "status": "succeeded", "reason": values["reason"] ?? "",
        ])
    }

    /// The sandbox's own control of a pending voucher, transfer or card authentication.
    func control(_ id: String, _ action: SandboxControl, now: Timestamp) -> Answer {
        guard var intent = intents[id] else {
            return .stripeError(404, type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent: '\(id)'")
        }
        guard intent.status == "requires_action" else {
            return .stripeError(400, type: "invalid_request_error", code: "payment_intent_unexpected_state", message: "This PaymentIntent's status is \(intent.status).")
        }
        switch action {
        case .pay:
            succeed(&intent, now: now)
        case .expire:
            intent.status = "requires_payment_method"
            intent.nextAction = nil
            intent.lastError = ["type": "invalid_request_error", "code": "payment_intent_payment_attempt_expired", "message": "The payment attempt expired."]
        case .fail:
            intent.status = "requires_payment_method"
            intent.nextAction = nil
            intent.lastError = ["type": "card_error", "code": "payment_method_provider_decline", "message": "The payment was declined by the payment method provider."]
        }
        intents[id] = intent
        emit(action == .pay ? "payment_intent.succeeded" : "payment_intent.payment_failed", object(intent, expanding: ["latest_charge"]), at: now)
        return .ok(object(intent, expanding: ["latest_charge"]))
    }

    /// Every payment intent, newest first.
    func summaries() -> [SandboxSummary] {
        intents.values.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.map { intent in
            let oxxo = intent.nextAction?["oxxo_display_details"] as? [String: any Sendable]
            let bank = ((intent.nextAction?["display_bank_transfer_instructions"] as? [String: any Sendable])?["financial_addresses"] as? [[String: any Sendable]])?
                .first?["spei"] as? [String: any Sendable]
            return SandboxSummary(
                id: intent.id, amount: intent.amount, status: intent.status, method: intent.method,
                reference: (oxxo?["number"] as? String) ?? (bank?["clabe"] as? String), pending: intent.status == "requires_action"
            )
        }
    }

    /// The OXXO voucher's number, amount and expiry, for its printable page.
    func voucher(_ id: String) -> (reference: String, amount: Int64, expiresAt: Int64)? {
        guard let intent = intents[id], let oxxo = intent.nextAction?["oxxo_display_details"] as? [String: any Sendable],
            let number = oxxo["number"] as? String, let expires = oxxo["expires_after"] as? Int64
        else { return nil }
        return (number, intent.amount, expires)
    }

    /// `GET /v1/payment_intents/search`: the query language's metadata clause (`metadata['key']:'value'`), the one
    /// Cartera uses to find a payment whose answer it never received.
    func search(_ query: String, expanding: Set<String>) -> Answer {
        let pattern = /^\s*metadata\['([^']+)'\]\s*:\s*'([^']*)'\s*$/
        guard let match = query.wholeMatch(of: pattern) else {
            return .stripeError(400, type: "invalid_request_error", code: "parameter_invalid", message: "Invalid search query: \(query). Only metadata['key']:'value' is supported by this sandbox.")
        }
        let found = intents.values.filter { $0.metadata[String(match.1)] == String(match.2) }.sorted { $0.created > $1.created }
        return .ok([
            "object": "search_result", "url": "/v1/payment_intents/search", "has_more": false, "next_page": NSNull(),
            // A list's expansions name its items as `data.…`.
            "data": found.map { object($0, expanding: Set(expanding.map { $0.hasPrefix("data.") ? String($0.dropFirst(5)) : $0 })) },
        ])
    }

    private func succeed(_ intent: inout Intent, now: Timestamp) {
        intent.paid = now.millisecondsSince1970 / 1000
        intent.status = "succeeded"
        intent.received = intent.amount
        intent.nextAction = nil
        intent.lastError = nil
        intent.chargeID = newID("ch_")
        // Stripe México's published card price: 3.6 % + MXN 3.00 (plus IVA, left out of the simulation).
        intent.fee = intent.amount * 36 / 1000 + 300
    }

    private func object(_ intent: Intent, expanding: Set<String>) -> [String: any Sendable] {
        var object: [String: any Sendable] = [
            "id": intent.id, "object": "payment_intent", "amount": intent.amount, "amount_received": intent.received, "currency": intent.currency,
            "status": intent.status, "metadata": intent.metadata, "created": intent.created, "livemode": false,
            "payment_method_types": [intent.method.hasPrefix("pm_") || intent.method.hasPrefix("tok_") ? "card" : intent.method],
        ]
        object["customer"] = intent.customer
        object["description"] = intent.description
        object["next_action"] = intent.nextAction
        object["last_payment_error"] = intent.lastError
        if let chargeID = intent.chargeID {
            if expanding.contains("latest_charge") || expanding.contains("latest_charge.balance_transaction") {
                var charge: [String: any Sendable] = [
                    "id": chargeID, "object": "charge", "amount": intent.received, "amount_refunded": intent.refunded, "refunded": intent.refunded == intent.received,
                    "currency": intent.currency, "status": "succeeded", "payment_intent": intent.id, "created": intent.paid ?? intent.created,
                ]
                charge["balance_transaction"] = expanding.contains("latest_charge.balance_transaction")
                    ? ["id": "txn_" + chargeID.dropFirst(3), "object": "balance_transaction", "amount": intent.received, "fee": intent.fee, "currency": intent.currency] as [String: any Sendable]
                    : "txn_" + chargeID.dropFirst(3)
                object["latest_charge"] = charge
            } else {
                object["latest_charge"] = chargeID
            }
        }
        return object
    }

    enum CardBehaviour {
        case succeeds
        case declined(code: String, declineCode: String, message: String)
        case unknown
    }

    /// Stripe's documented test payment methods and tokens.
    static func card(_ method: String) -> CardBehaviour {
        switch method {
        case "pm_card_visa", "tok_visa", "pm_card_mastercard", "tok_mastercard", "pm_card_mx", "tok_mx", "card":
            .succeeds
        case "pm_card_chargeDeclined", "tok_chargeDeclined", "pm_card_visa_chargeDeclined":
            .declined(code: "card_declined", declineCode: "generic_decline", message: "Your card was declined.")
        case "pm_card_chargeDeclinedInsufficientFunds", "tok_chargeDeclinedInsufficientFunds", "pm_card_visa_chargeDeclinedInsufficientFunds":
            .declined(code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds.")
        case "pm_card_chargeDeclinedStolenCard", "tok_chargeDeclinedStolenCard":
            .declined(code: "card_declined", declineCode: "stolen_card", message: "Your card was declined.")
        default:
            .unknown
        }
    }

    static func metadata(_ form: [(String, String)]) -> [String: String] {
        var metadata: [String: String] = [:]
        for (key, value) in form where key.hasPrefix("metadata[") && key.hasSuffix("]") {
            metadata[String(key.dropFirst("metadata[".count).dropLast())] = value
        }
        return metadata
    }

    static func expansions(_ form: [(String, String)]) -> Set<String> {
        Set(form.filter { $0.0 == "expand[]" }.map(\.1))
    }

    static func pesos(_ centavos: Int64) -> String {
        String(format: "%lld.%02lld", centavos / 100, centavos % 100)
    }
}

extension SandboxAnswer {
    /// Stripe's error body: `{"error": {"type", "code", "message", …}}`.
    static func stripeError(_ status: Int, type: String, code: String?, message: String, extra: [String: any Sendable] = [:]) -> SandboxAnswer {
        var error: [String: any Sendable] = ["type": type, "message": message]
        if let code { error["code"] = code }
        for (key, value) in extra { error[key] = value }
        return SandboxAnswer(status: status, object: ["error": error])
    }
}
