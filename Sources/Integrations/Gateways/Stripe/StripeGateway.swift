import AsyncHTTPClient
import CarteraCore
import Foundation
import NIOHTTP1
import Payments

/// Stripe's v1 API (`https://api.stripe.com`): form-encoded requests, `Authorization: Bearer sk_…`, `Stripe-Version`,
/// `Idempotency-Key` on every write (so retries never charge twice). A payment is a PaymentIntent confirmed at once:
/// a card (`pm_…` or a `tok_…` from Stripe.js), a saved card off session, OXXO (`oxxo`, a voucher number) or SPEI
/// (`customer_balance` with a Mexican bank transfer, a CLABE). Amounts are centavos.
public struct StripeGateway: PaymentGateway {
    public let provider = GatewayProvider.stripe
    public let methods: Set<GatewayMethod.Kind> = [.card, .savedCard, .cash, .spei]
    public static let productionBaseURL = "https://api.stripe.com"
    /// The API version Cartera is written against.
    public static let apiVersion = "2026-06-24.dahlia"

    let client: ProviderHTTPClient
    let secretKey: String
    let clock: @Sendable () -> Timestamp

    public init(secretKey: String, client: ProviderHTTPClient, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.secretKey = secretKey
        self.client = client
        self.clock = clock
    }

    public func createCustomer(name: String, email: String?, reference: String) async throws(GatewayError) -> String {
        var form = [("name", name), ("metadata[cartera_reference]", reference)]
        if let email { form.append(("email", email)) }
        let object = try await send(.POST, "/v1/customers", form: form, idempotencyKey: "customer-\(reference)")
        guard let id = JSONFields.text(object, "id") else { throw .invalidResponse(provider: provider, detail: "cliente sin id") }
        return id
    }

    public func charge(_ request: GatewayChargeRequest) async throws(GatewayError) -> GatewayCharge {
        var form: [(String, String)] = [
            ("amount", String(request.amount.minorUnits)), ("currency", request.amount.currency.code.lowercased()),
            ("description", request.description), ("metadata[cartera_intent]", request.intentID), ("confirm", "true"),
            ("expand[]", "latest_charge.balance_transaction"),
        ]
        switch request.method {
        case .card(let token):
            form.append(("payment_method_types[]", "card"))
            if token.hasPrefix("pm_") {
                form.append(("payment_method", token))
            } else {
                form += [("payment_method_data[type]", "card"), ("payment_method_data[card][token]", token)]
            }
        case .savedCard(let customerID, let paymentMethodID):
            form += [("customer", customerID), ("payment_method", paymentMethodID), ("payment_method_types[]", "card"), ("off_session", "true")]
        case .cash(let expiresAt):
            // Stripe counts whole days; the voucher lapses at 23:59 Mexico City time of the last one.
            let days = max(1, min(30, Int((expiresAt.millisecondsSince1970 - clock().millisecondsSince1970 + 86_399_999) / 86_400_000)))
            form += [
                ("payment_method_types[]", "oxxo"), ("payment_method_data[type]", "oxxo"), ("payment_method_data[billing_details][name]", request.payerName),
                ("payment_method_options[oxxo][expires_after_days]", String(days)),
            ]
            if let email = request.payerEmail { form.append(("payment_method_data[billing_details][email]", email)) }
        case .spei(let customerID, _):
            form += [
                ("customer", customerID), ("payment_method_types[]", "customer_balance"), ("payment_method_data[type]", "customer_balance"),
                ("payment_method_options[customer_balance][funding_type]", "bank_transfer"),
                ("payment_method_options[customer_balance][bank_transfer][type]", "mx_bank_transfer"),
            ]
        }
        return try map(try await send(.POST, "/v1/payment_intents", form: form, idempotencyKey: request.intentID))
    }

    /// A `pm_…` from Stripe.js is attached as it is; a `tok_…` becomes a card PaymentMethod first. Attached to the
    /// customer, it is charged later `off_session`.
    public func saveCard(customerID: String, token: String, deviceSessionID: String?) async throws(GatewayError) -> SavedCard {
        var methodID = token
        if !token.hasPrefix("pm_") {
            let made = try await send(.POST, "/v1/payment_methods", form: [("type", "card"), ("card[token]", token)], idempotencyKey: "pm-\(token)")
            guard let id = JSONFields.text(made, "id") else { throw .invalidResponse(provider: provider, detail: "PaymentMethod sin id") }
            methodID = id
        }
        let attached = try await send(
            .POST, "/v1/payment_methods/\(FormEncoding.escape(methodID))/attach", form: [("customer", customerID)], idempotencyKey: "attach-\(customerID)-\(token)"
        )
        guard let id = JSONFields.text(attached, "id"), let card = attached["card"] as? [String: Any] else {
            throw .invalidResponse(provider: provider, detail: "PaymentMethod sin tarjeta")
        }
        return SavedCard(
            id: id, brand: JSONFields.text(card, "brand") ?? "card", last4: JSONFields.text(card, "last4") ?? "",
            expiryMonth: JSONFields.integer(card, "exp_month").map(Int.init), expiryYear: JSONFields.integer(card, "exp_year").map(Int.init)
        )
    }

    public func removeCard(customerID: String, cardID: String) async throws(GatewayError) {
        do {
            _ = try await send(.POST, "/v1/payment_methods/\(FormEncoding.escape(cardID))/detach", form: [], idempotencyKey: "detach-\(cardID)")
        } catch .refused(_, _, "resource_missing", _) {
            return
        } catch .refused(_, 400, _, let detail) where detail.contains("not attached") {
            return
        }
    }

    /// A Checkout Session in payment mode: the PaymentIntent it makes carries `metadata.cartera_intent`, so its
    /// webhook and the lookup by intent find it.
    public func checkout(_ request: GatewayCheckoutRequest) async throws(GatewayError) -> GatewayCheckout {
        var form: [(String, String)] = [
            ("mode", "payment"), ("payment_method_types[]", "card"), ("line_items[0][price_data][currency]", request.amount.currency.code.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(request.amount.minorUnits)), ("line_items[0][price_data][product_data][name]", request.description),
            ("line_items[0][quantity]", "1"), ("success_url", request.returnURL), ("cancel_url", request.returnURL), ("client_reference_id", request.intentID),
            ("metadata[cartera_intent]", request.intentID), ("payment_intent_data[metadata][cartera_intent]", request.intentID),
            ("payment_intent_data[description]", request.description), ("expires_at", String(request.expiresAt.millisecondsSince1970 / 1000)),
        ]
        if let email = request.payerEmail { form.append(("customer_email", email)) }
        let session = try await send(.POST, "/v1/checkout/sessions", form: form, idempotencyKey: "checkout-\(request.intentID)")
        guard let url = JSONFields.text(session, "url") else { throw .invalidResponse(provider: provider, detail: "Checkout Session sin url") }
        return GatewayCheckout(url: url, chargeID: nil, expiresAt: JSONFields.integer(session, "expires_at").map { Timestamp(millisecondsSince1970: $0 * 1000) })
    }

    public var savesCardsOnItsPage: Bool { true }

    /// A Checkout Session in setup mode on the customer: the borrower saves a card on Stripe's page, and its
    /// SetupIntent attaches the PaymentMethod to the customer for charges off session.
    public func cardSetup(_ request: GatewayCardSetupRequest) async throws(GatewayError) -> GatewayCardSetup {
        let form: [(String, String)] = [
            ("mode", "setup"), ("customer", request.customerID), ("currency", "mxn"), ("payment_method_types[]", "card"), ("success_url", request.returnURL),
            ("cancel_url", request.returnURL), ("client_reference_id", request.setupID), ("metadata[cartera_setup]", request.setupID),
            ("setup_intent_data[metadata][cartera_setup]", request.setupID), ("expires_at", String(request.expiresAt.millisecondsSince1970 / 1000)), ("locale", "es"),
        ]
        let session = try await send(.POST, "/v1/checkout/sessions", form: form, idempotencyKey: "setup-\(request.setupID)")
        guard let id = JSONFields.text(session, "id"), let url = JSONFields.text(session, "url") else {
            throw .invalidResponse(provider: provider, detail: "Checkout Session sin id o url")
        }
        return GatewayCardSetup(url: url, id: id, expiresAt: JSONFields.integer(session, "expires_at").map { Timestamp(millisecondsSince1970: $0 * 1000) })
    }

    /// The session with its SetupIntent and PaymentMethod expanded: `complete` with a succeeded SetupIntent is a saved card.
    public func cardSetupState(_ id: String) async throws(GatewayError) -> GatewayCardSetupState {
        let session = try await send(
            .GET, "/v1/checkout/sessions/\(FormEncoding.escape(id))?expand%5B%5D=setup_intent.payment_method", form: nil, idempotencyKey: nil
        )
        switch JSONFields.text(session, "status") {
        case "open": return .open
        case "expired": return .expired
        case "complete":
            guard let intent = session["setup_intent"] as? [String: Any], JSONFields.text(intent, "status") == "succeeded",
                let method = intent["payment_method"] as? [String: Any], let methodID = JSONFields.text(method, "id"), let card = method["card"] as? [String: Any]
            else { throw .invalidResponse(provider: provider, detail: "sesión completa sin SetupIntent exitoso con tarjeta") }
            return .saved(SavedCard(
                id: methodID, brand: JSONFields.text(card, "brand") ?? "card", last4: JSONFields.text(card, "last4") ?? "",
                expiryMonth: JSONFields.integer(card, "exp_month").map(Int.init), expiryYear: JSONFields.integer(card, "exp_year").map(Int.init)
            ))
        default:
            throw .invalidResponse(provider: provider, detail: "Checkout Session sin status")
        }
    }

    public func retrieve(_ chargeID: String) async throws(GatewayError) -> GatewayCharge {
        try map(try await send(.GET, "/v1/payment_intents/\(FormEncoding.escape(chargeID))?expand%5B%5D=latest_charge.balance_transaction", form: nil, idempotencyKey: nil))
    }

    public func lookup(intentID: String) async throws(GatewayError) -> GatewayCharge? {
        let query = FormEncoding.encode([("query", "metadata['cartera_intent']:'\(intentID)'"), ("expand[]", "data.latest_charge.balance_transaction")])
        let result = try await send(.GET, "/v1/payment_intents/search?\(query)", form: nil, idempotencyKey: nil)
        guard let first = (result["data"] as? [[String: Any]])?.first else { return nil }
        return try map(first)
    }

    public func refund(_ chargeID: String, amount: Money?, idempotencyKey: String) async throws(GatewayError) -> GatewayOutcome {
        var form = [("payment_intent", chargeID), ("reason", "requested_by_customer")]
        if let amount { form.append(("amount", String(amount.minorUnits))) }
        _ = try await send(.POST, "/v1/refunds", form: form, idempotencyKey: idempotencyKey)
        // The running total is on the payment's charge.
        let object = try await send(.GET, "/v1/payment_intents/\(FormEncoding.escape(chargeID))?expand%5B%5D=latest_charge", form: nil, idempotencyKey: nil)
        guard let currency = JSONFields.text(object, "currency").flatMap({ Currency(code: $0.uppercased()) }),
            let charge = object["latest_charge"] as? [String: Any], let refunded = JSONFields.integer(charge, "amount_refunded")
        else {
            throw .invalidResponse(provider: provider, detail: "pago sin cargo reembolsado")
        }
        return .refunded(total: Money(minorUnits: refunded, currency: currency))
    }

    public func report(fromEvent body: [UInt8], type: String) -> GatewayEventReport? {
        guard let event = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let object = (event["data"] as? [String: Any])?["object"] as? [String: Any]
        else { return nil }
        switch JSONFields.text(object, "object") {
        case "payment_intent":
            guard let id = JSONFields.text(object, "id") else { return nil }
            let intentID = (object["metadata"] as? [String: Any]).flatMap { JSONFields.text($0, "cartera_intent") }
            // The signed payload states the payment (its fee, on a balance transaction the event does not expand, is
            // asked of Stripe afterwards).
            return GatewayEventReport(
                chargeID: id, intentID: intentID, outcome: try? map(object).outcome,
                paidAt: JSONFields.text(object, "status") == "succeeded" ? JSONFields.integer(event, "created").map { Timestamp(millisecondsSince1970: $0 * 1000) } : nil
            )
        case "charge" where type == "charge.refunded":
            guard let id = JSONFields.text(object, "payment_intent"), let refunded = JSONFields.integer(object, "amount_refunded"),
                let currency = JSONFields.text(object, "currency").flatMap({ Currency(code: $0.uppercased()) })
            else { return nil }
            let intentID = (object["metadata"] as? [String: Any]).flatMap { JSONFields.text($0, "cartera_intent") }
            return GatewayEventReport(chargeID: id, intentID: intentID, outcome: .refunded(total: Money(minorUnits: refunded, currency: currency)))
        default:
            return nil
        }
    }

    // MARK: Wire

    func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]?, idempotencyKey: String?) async throws(GatewayError) -> [String: Any] {
        var headers = [("Authorization", "Bearer \(secretKey)"), ("Stripe-Version", Self.apiVersion), ("Accept", "application/json")]
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let response = try await client.send(.init(
            method: method, path: path, headers: headers, body: form.map { Array(FormEncoding.encode($0).utf8) },
            idempotent: method == .GET || idempotencyKey != nil
        ))
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw .invalidResponse(provider: provider, detail: "HTTP \(response.status) sin JSON")
        }
        if (200..<300).contains(response.status) { return object }
        let error = object["error"] as? [String: Any] ?? [:]
        // A declined card is answered 402 with the payment intent in its state after the attempt.
        if response.status == 402, let intent = error["payment_intent"] as? [String: Any] { return intent }
        throw .refused(
            provider: provider, status: response.status, providerCode: JSONFields.text(error, "code") ?? JSONFields.text(error, "type"),
            detail: JSONFields.text(error, "message") ?? "HTTP \(response.status)"
        )
    }

    func map(_ intent: [String: Any]) throws(GatewayError) -> GatewayCharge {
        guard let id = JSONFields.text(intent, "id"), let status = JSONFields.text(intent, "status"),
            let currency = JSONFields.text(intent, "currency").flatMap({ Currency(code: $0.uppercased()) })
        else {
            throw .invalidResponse(provider: provider, detail: "PaymentIntent sin id, status o currency")
        }
        let outcome: GatewayOutcome
        switch status {
        case "succeeded":
            let received = JSONFields.integer(intent, "amount_received") ?? JSONFields.integer(intent, "amount") ?? 0
            let charge = intent["latest_charge"] as? [String: Any]
            // The fee is on the expanded balance transaction; a payload without it leaves the fee to be asked.
            let fee = (charge?["balance_transaction"] as? [String: Any]).flatMap { JSONFields.integer($0, "fee") }
            outcome = .paid(amount: Money(minorUnits: received, currency: currency), fee: fee.map { Money(minorUnits: $0, currency: currency) })
        case "canceled":
            outcome = .canceled
        case "requires_payment_method":
            if let error = intent["last_payment_error"] as? [String: Any], JSONFields.text(error, "code") == "payment_intent_payment_attempt_expired" {
                outcome = .expired  // an OXXO voucher or transfer reference that ran out unpaid
            } else if let error = intent["last_payment_error"] as? [String: Any] {
                outcome = .failed(code: JSONFields.text(error, "decline_code") ?? JSONFields.text(error, "code") ?? "payment_failed", message: JSONFields.text(error, "message") ?? "Pago rechazado")
            } else {
                outcome = .pending
            }
        default:
            outcome = .pending  // requires_action (voucher, CLABE, 3-D Secure), processing, requires_confirmation, requires_capture
        }
        let next = intent["next_action"] as? [String: Any]
        let oxxo = next?["oxxo_display_details"] as? [String: Any]
        let transfer = ((next?["display_bank_transfer_instructions"] as? [String: Any])?["financial_addresses"] as? [[String: Any]])?
            .first { $0["spei"] != nil }?["spei"] as? [String: Any]
        return GatewayCharge(
            id: id, outcome: outcome, cashReference: oxxo.flatMap { JSONFields.text($0, "number") }, voucherURL: oxxo.flatMap { JSONFields.text($0, "hosted_voucher_url") },
            clabe: transfer.flatMap { JSONFields.text($0, "clabe") }, bankName: transfer.flatMap { JSONFields.text($0, "bank_name") },
            expiresAt: oxxo.flatMap { JSONFields.integer($0, "expires_after") }.map { Timestamp(millisecondsSince1970: $0 * 1000) },
            paidAt: (intent["latest_charge"] as? [String: Any]).flatMap { JSONFields.integer($0, "created") }.map { Timestamp(millisecondsSince1970: $0 * 1000) },
            refunded: (intent["latest_charge"] as? [String: Any]).flatMap { JSONFields.integer($0, "amount_refunded") }.map { Money(minorUnits: $0, currency: currency) },
            intentID: JSONFields.text(intent, "metadata", "cartera_intent")
        )
    }
}
