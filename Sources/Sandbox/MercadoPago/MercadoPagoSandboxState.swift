import CarteraCore
import Foundation
import Integrations

/// The simulated Mercado Pago seller (site MLM): card tokens, customers, payments by card, OXXO ticket and SPEI
/// (`clabe`), refunds, idempotency keys, in memory. Amounts are decimal pesos on the wire and centavos here.
actor MercadoPagoSandboxState {
    typealias Answer = SandboxAnswer

    struct Payment: Sendable {
        var id: Int64
        var status: String
        var statusDetail: String
        var methodID: String
        var typeID: String
        var amount: Int64
        var refunded: Int64 = 0
        var fee: Int64
        var description: String?
        var externalReference: String?
        var metadata: [String: any Sendable]
        var payerEmail: String?
        var expiration: String?
        var reference: String?
        var created: Timestamp
        var approved: Timestamp?
    }

    private var tokens: [String: String] = [:]  // token → cardholder name (which decides the outcome)
    private var tokenNumbers: [String: String] = [:]  // token → test card number
    /// Checkout Pro preferences: id → (amount, title, external reference, metadata, back URL, payer email, expiry).
    private var preferences: [String: Preference] = [:]

    struct Preference: Sendable {
        var amount: Int64
        var title: String
        var externalReference: String?
        var metadata: [String: any Sendable]
        var backURL: String?
        var payerEmail: String
        var expiresAt: String?
        var paymentID: Int64?
    }
    /// Cards saved on customers: id → (customer, cardholder name, test card number).
    private var cards: [String: (customer: String, holder: String, number: String)] = [:]
    private var customers: [String: [String: any Sendable]] = [:]
    private var payments: [Int64: Payment] = [:]
    private var idempotency: [String: (body: Data, answer: Answer)] = [:]
    private var nextID: Int64 = 1_325_000_000
    private var records = SandboxRecords<(id: Int64, action: String)>()

    func takeEvents() -> [(id: Int64, action: String)] { records.takeEvents() }

    static func error(_ status: Int, _ error: String, _ message: String, cause: Int? = nil) -> Answer {
        var object: [String: any Sendable] = ["status": status, "error": error, "message": message]
        object["cause"] = [["code": cause ?? status, "description": message] as [String: any Sendable]]
        return Answer(status: status, object: object)
    }

    /// Runs one API call; with an idempotency key, the same key and body answer what they answered (another body is
    /// refused), all inside the account so that two concurrent calls with one key do one thing.
    func run(key: String?, body: Data, _ call: @Sendable (isolated MercadoPagoSandboxState, Data) -> Answer) -> Answer {
        guard let key else { return call(self, body) }
        if let previous = idempotency[key] {
            return previous.body == body ? previous.answer : Self.error(409, "conflict", "The X-Idempotency-Key was already used with another request")
        }
        let answer = call(self, body)
        if answer.status < 500 { idempotency[key] = (body, answer) }
        return answer
    }

    func createToken(_ json: Data) -> Answer {
        let body = Self.object(json)
        if let cardID = body["card_id"] as? String {
            // A token for a saved card, to charge it again (Mercado Pago charges tokens only).
            guard let card = cards[cardID], (body["customer_id"] as? String).map({ $0 == card.customer }) ?? true else {
                return Self.error(404, "not_found", "card_id not found", cause: 2058)
            }
            return issueToken(holder: card.holder, number: card.number)
        }
        guard let number = (body["card_number"] as? String)?.filter(\.isNumber), number.count >= 15 else {
            return Self.error(400, "bad_request", "card_number is invalid", cause: 205)
        }
        guard let name = (body["cardholder"] as? [String: Any])?["name"] as? String, !name.isEmpty else {
            return Self.error(400, "bad_request", "cardholder.name is required", cause: 221)
        }
        return issueToken(holder: name, number: number)
    }

    private func issueToken(holder name: String, number: String) -> Answer {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        tokens[id] = name.uppercased()
        tokenNumbers[id] = number
        return Answer(status: 201, object: [
            "id": id, "status": "active", "first_six_digits": String(number.prefix(6)), "last_four_digits": String(number.suffix(4)),
            "cardholder": ["name": name] as [String: any Sendable], "live_mode": false,
        ])
    }

    /// `POST /checkout/preferences`: one item in MXN; `init_point` is the sandbox's page.
    func createPreference(_ json: Data, pageBase: String) -> Answer {
        let body = Self.object(json)
        guard let item = (body["items"] as? [[String: Any]])?.first, let title = item["title"] as? String, let amount = Self.centavos(item["unit_price"]), amount > 0,
            (item["currency_id"] as? String ?? "MXN") == "MXN"
        else { return Self.error(400, "bad_request", "items[0] needs title, unit_price and currency_id MXN", cause: 4) }
        let id = "\(nextID)-" + UUID().uuidString.lowercased()
        nextID += 1
        let back = (body["back_urls"] as? [String: Any])?["success"] as? String
        preferences[id] = Preference(
            amount: amount, title: title, externalReference: body["external_reference"] as? String, metadata: Self.sendable(body["metadata"] as? [String: Any] ?? [:]),
            backURL: back, payerEmail: ((body["payer"] as? [String: Any])?["email"] as? String) ?? "comprador@example.mx",
            expiresAt: body["expiration_date_to"] as? String
        )
        let page = "\(pageBase)/_sandbox/checkout/\(id)"
        var object: [String: any Sendable] = ["id": id, "init_point": page, "sandbox_init_point": page, "items": [["title": title, "quantity": 1, "unit_price": Self.pesos(amount), "currency_id": "MXN"] as [String: any Sendable]]]
        object["external_reference"] = body["external_reference"] as? String
        return Answer(status: 201, object: object)
    }

    /// What the page shows of a preference not yet paid.
    func openPreference(_ id: String) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let preference = preferences[id], preference.paymentID == nil else { return nil }
        return (preference.amount, preference.title, preference.backURL)
    }

    /// The borrower pays on the page with a test card: a payment is made as the card API makes it (a declined card is
    /// a rejected payment, and the borrower may try another); approved, the borrower goes back with its id.
    func payPreference(_ id: String, card: SandboxCheckoutPage.Card, now: Timestamp, ticketBase: String) -> SandboxCheckoutPage.Result {
        guard var preference = preferences[id], preference.paymentID == nil else { return .notFound }
        let holder: String =
            switch card {
            case .pays: "APRO"
            case .insufficientFunds: "FUND"
            case .declined: "OTHE"
            }
        let token = issueToken(holder: holder, number: "5474925432670366").object["id"] as? String ?? ""
        var payment: [String: Any] = [
            "transaction_amount": NSDecimalNumber(string: Money(minorUnits: preference.amount, currency: .mxn).decimalText), "description": preference.title,
            "payment_method_id": "master", "installments": 1, "token": token, "payer": ["email": preference.payerEmail],
            "metadata": preference.metadata as [String: Any],
        ]
        payment["external_reference"] = preference.externalReference
        guard let json = try? JSONSerialization.data(withJSONObject: payment) else { return .notFound }
        let answer = createPayment(json, now: now, ticketBase: ticketBase)
        guard let paymentID = (answer.object["id"] as? Int64) ?? (answer.object["id"] as? Int).map(Int64.init), answer.object["status"] as? String == "approved" else {
            return .refused(card == .insufficientFunds ? "Tu tarjeta no tiene fondos suficientes." : "Tu pago fue rechazado.")
        }
        preference.paymentID = paymentID
        preferences[id] = preference
        guard let back = preference.backURL else { return .refused("Pago aprobado.") }
        return .redirect(SandboxCheckoutPage.url(back, adding: [
            ("payment_id", String(paymentID)), ("status", "approved"), ("external_reference", preference.externalReference ?? ""), ("preference_id", id),
        ]))
    }

    /// `POST /v1/customers/{id}/cards` with a card token (used up by it).
    func saveCard(customer: String, _ json: Data) -> Answer {
        guard customers[customer] != nil else { return Self.error(404, "not_found", "customer not found", cause: 2050) }
        guard let token = Self.object(json)["token"] as? String, let holder = tokens.removeValue(forKey: token), let number = tokenNumbers.removeValue(forKey: token) else {
            return Self.error(400, "bad_request", "invalid card token", cause: 2062)
        }
        let id = String(nextID)
        nextID += 1
        cards[id] = (customer, holder, number)
        return Answer(status: 201, object: Self.cardObject(id: id, customer: customer, holder: holder, number: number))
    }

    /// `DELETE /v1/customers/{id}/cards/{card}`: answers the card deleted.
    func deleteCard(customer: String, card id: String) -> Answer {
        guard let card = cards[id], card.customer == customer else { return Self.error(404, "not_found", "card not found", cause: 2058) }
        cards[id] = nil
        return .ok(Self.cardObject(id: id, customer: customer, holder: card.holder, number: card.number))
    }

    static func cardObject(id: String, customer: String, holder: String, number: String) -> [String: any Sendable] {
        let brand = number.hasPrefix("4") ? "visa" : number.hasPrefix("3") ? "amex" : "master"
        return [
            "id": id, "customer_id": customer, "first_six_digits": String(number.prefix(6)), "last_four_digits": String(number.suffix(4)),
            "expiration_month": 11, "expiration_year": 2030, "cardholder": ["name": holder] as [String: any Sendable],
            "payment_method": ["id": brand, "name": brand, "payment_type_id": "credit_card"] as [String: any Sendable],
        ]
    }

    func createCustomer(_ json: Data) -> Answer {
        let body = Self.object(json)
        guard let email = body["email"] as? String, email.contains("@") else { return Self.error(400, "bad_request", "email is required", cause: 100) }
        var customer: [String: any Sendable] = ["id": String(nextID) + "-sandbox", "email": email, "live_mode": false]
        nextID += 1
        customer["first_name"] = body["first_name"] as? String
        customer["description"] = body["description"] as? String
        customers[customer["id"] as! String] = customer
        return Answer(status: 201, object: customer)
    }

    /// How Mercado Pago's test cards behave: the cardholder's name says it (APRO approved, FUND insufficient, …).
    static func cardOutcome(_ holder: String) -> (status: String, detail: String) {
        switch holder {
        case "APRO": ("approved", "accredited")
        case "CONT": ("in_process", "pending_contingency")
        case "FUND": ("rejected", "cc_rejected_insufficient_amount")
        case "SECU": ("rejected", "cc_rejected_bad_filled_security_code")
        case "EXPI": ("rejected", "cc_rejected_bad_filled_date")
        case "CALL": ("rejected", "cc_rejected_call_for_authorize")
        default: ("rejected", "cc_rejected_other_reason")
        }
    }

    func createPayment(_ json: Data, now: Timestamp, ticketBase: String) -> Answer {
        let body = Self.object(json)
        guard let amount = Self.centavos(body["transaction_amount"]), amount > 0 else {
            return Self.error(400, "bad_request", "transaction_amount must be positive", cause: 4)
        }
        guard let methodID = body["payment_method_id"] as? String else { return Self.error(400, "bad_request", "payment_method_id is required", cause: 4020) }
        let payer = body["payer"] as? [String: Any] ?? [:]
        var payment = Payment(
            id: nextID, status: "pending", statusDetail: "pending_waiting_payment", methodID: methodID, typeID: "credit_card", amount: amount,
            fee: amount * 349 / 10_000 + 400, description: body["description"] as? String, externalReference: body["external_reference"] as? String,
            metadata: Self.sendable(body["metadata"] as? [String: Any] ?? [:]), payerEmail: payer["email"] as? String,
            expiration: body["date_of_expiration"] as? String, created: now
        )
        nextID += 1
        switch methodID {
        case "oxxo":
            payment.typeID = "ticket"
            payment.reference = String(format: "%016lld", Int64.random(in: 0...9_999_999_999_999_999))
        case "clabe":
            payment.typeID = "bank_transfer"
            payment.reference = CLABE.make(bankPrefix: "646", plaza: "180", account: String(format: "%011lld", Int64.random(in: 0...99_999_999_999)))!
        default:
            guard let token = body["token"] as? String, let holder = tokens.removeValue(forKey: token), tokenNumbers.removeValue(forKey: token) != nil else {
                return Self.error(400, "bad_request", "Invalid card token", cause: 2006)
            }
            (payment.status, payment.statusDetail) = Self.cardOutcome(holder)
            if payment.status == "approved" { payment.approved = now }
        }
        guard payment.payerEmail != nil || payer["id"] != nil else { return Self.error(400, "bad_request", "payer.email is required", cause: 4050) }
        payments[payment.id] = payment
        records.record((payment.id, "payment.created"))
        return Answer(status: 201, object: object(payment, ticketBase: ticketBase))
    }

    func payment(_ id: String, ticketBase: String) -> Answer {
        guard let key = Int64(id), let payment = payments[key] else { return Self.error(404, "not_found", "Payment not found", cause: 2000) }
        return .ok(object(payment, ticketBase: ticketBase))
    }

    func search(externalReference: String?, ticketBase: String) -> Answer {
        let found = payments.values.filter { externalReference == nil || $0.externalReference == externalReference }.sorted { $0.id > $1.id }
        return .ok([
            "paging": ["total": found.count, "limit": 30, "offset": 0] as [String: any Sendable],
            "results": found.prefix(30).map { object($0, ticketBase: ticketBase) },
        ])
    }

    func refund(_ id: String, _ json: Data, now: Timestamp) -> Answer {
        guard let key = Int64(id), var payment = payments[key] else { return Self.error(404, "not_found", "Payment not found", cause: 2000) }
        guard payment.status == "approved" else { return Self.error(400, "bad_request", "Payment not approved: it cannot be refunded", cause: 2063) }
        let amount = Self.centavos(Self.object(json)["amount"]) ?? (payment.amount - payment.refunded)
        guard amount > 0, amount <= payment.amount - payment.refunded else {
            return Self.error(400, "bad_request", "The refund amount exceeds what is left of the payment", cause: 2085)
        }
        payment.refunded += amount
        if payment.refunded == payment.amount { payment.status = "refunded"; payment.statusDetail = "refunded" }
        payments[key] = payment
        records.record((payment.id, "payment.updated"))
        return Answer(status: 201, object: [
            "id": Int64.random(in: 1_000_000_000...9_999_999_999), "payment_id": payment.id, "amount": Self.pesos(amount), "status": "approved",
            "date_created": Self.date(now), "source": ["type": "collector"] as [String: any Sendable],
        ])
    }

    func control(_ id: String, _ action: SandboxControl, now: Timestamp, ticketBase: String) -> Answer {
        guard let key = Int64(id), var payment = payments[key] else { return Self.error(404, "not_found", "Payment not found", cause: 2000) }
        guard payment.status == "pending" || payment.status == "in_process" else { return Self.error(400, "bad_request", "The payment is \(payment.status)") }
        switch action {
        case .pay: (payment.status, payment.statusDetail, payment.approved) = ("approved", "accredited", now)
        case .expire: (payment.status, payment.statusDetail) = ("cancelled", "expired")
        case .fail: (payment.status, payment.statusDetail) = ("rejected", "cc_rejected_other_reason")
        }
        payments[key] = payment
        records.record((payment.id, "payment.updated"))
        return .ok(object(payment, ticketBase: ticketBase))
    }

    func summaries() -> [SandboxSummary] {
        payments.values.sorted { $0.id > $1.id }.map { payment in
            SandboxSummary(
                id: String(payment.id), amount: payment.amount, status: payment.status, method: payment.methodID, reference: payment.reference,
                pending: payment.status == "pending" || payment.status == "in_process"
            )
        }
    }

    func voucher(_ id: String) -> (reference: String, amount: Int64, expiresAt: Int64)? {
        guard let key = Int64(id), let payment = payments[key], payment.typeID == "ticket", let reference = payment.reference else { return nil }
        let expires = payment.expiration.flatMap(MexicoCityTime.parse) ?? payment.created.adding(seconds: 3 * 86_400)
        return (reference, payment.amount, expires.millisecondsSince1970 / 1000)
    }

    private func object(_ payment: Payment, ticketBase: String) -> [String: any Sendable] {
        var details: [String: any Sendable] = [
            "net_received_amount": Self.pesos(payment.status == "approved" || payment.status == "refunded" ? payment.amount - payment.fee : 0),
            "total_paid_amount": Self.pesos(payment.amount), "installment_amount": Self.pesos(payment.amount),
        ]
        if payment.typeID == "ticket" {
            details["external_resource_url"] = "\(ticketBase)/_sandbox/vouchers/\(payment.id)"
            details["payment_method_reference_id"] = payment.reference
        }
        if payment.typeID == "bank_transfer" {
            details["payment_method_reference_id"] = payment.reference
            details["financial_institution"] = "STP"
        }
        var object: [String: any Sendable] = [
            "id": payment.id, "status": payment.status, "status_detail": payment.statusDetail, "payment_method_id": payment.methodID,
            "payment_type_id": payment.typeID, "currency_id": "MXN", "transaction_amount": Self.pesos(payment.amount),
            "transaction_amount_refunded": Self.pesos(payment.refunded), "date_created": Self.date(payment.created), "live_mode": false,
            "metadata": payment.metadata, "transaction_details": details, "installments": 1, "operation_type": "regular_payment",
            "payer": ["email": payment.payerEmail ?? "", "type": "guest"] as [String: any Sendable],
        ]
        let fee: [String: any Sendable] = ["type": "mercadopago_fee", "amount": Self.pesos(payment.fee), "fee_payer": "collector"]
        object["fee_details"] = payment.approved == nil ? [[String: any Sendable]]() : [fee]
        object["description"] = payment.description
        object["external_reference"] = payment.externalReference
        object["date_of_expiration"] = payment.expiration
        object["date_approved"] = payment.approved.map(Self.date)
        if payment.typeID == "ticket" { object["barcode"] = ["content": payment.reference ?? ""] as [String: any Sendable] }
        return object
    }

    // MARK: Values

    static func object(_ json: Data) -> [String: Any] { OpenpaySandboxState.object(json) }
    static func centavos(_ value: Any?) -> Int64? { OpenpaySandboxState.centavos(value) }
    static func pesos(_ centavos: Int64) -> NSDecimalNumber { OpenpaySandboxState.pesos(centavos) }
    static func date(_ instant: Timestamp) -> String { MexicoCityTime.text(instant) + ".000-06:00" }
    static func sendable(_ object: [String: Any]) -> [String: any Sendable] { ConektaSandboxState.sendable(object) }
}
