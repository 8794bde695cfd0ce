import CarteraCore
import Foundation
import Integrations

/// The simulated Openpay merchant: card tokens, customers with saved cards, charges by card, store (Paynet) and SPEI
/// (bank account), refunds, in memory. Amounts are decimal pesos on the wire and centavos here.
actor OpenpaySandboxState {
    typealias Answer = SandboxAnswer

    struct Charge: Sendable {
        var id: String
        var method: String
        var amount: Int64
        var status: String  // completed, in_progress, failed, cancelled, refunded
        var description: String
        var orderID: String
        var customerID: String?
        var dueDate: String?
        var paymentMethod: [String: any Sendable]?
        var card: [String: any Sendable]?
        var fee: Int64
        var refunded: Int64 = 0
        var errorCode: Int?
        var errorMessage: String?
        var created: Timestamp
        var paid: Timestamp?
    }

    private var tokens: [String: String] = [:]  // token id → card number
    private var customers: [String: [String: any Sendable]] = [:]
    private var cards: [String: String] = [:]  // saved card id → card number
    private var cardOwners: [String: String] = [:]  // saved card id → customer id
    private var redirects: [String: String] = [:]  // charge paid on the page → where the borrower goes back
    private var charges: [String: Charge] = [:]
    private var records = SandboxRecords<[String: any Sendable]>()

    func takeEvents() -> [[String: any Sendable]] { records.takeEvents() }

    private func newID(_ prefix: String) -> String { records.newID(prefix, digits: 5) }

    static func error(_ status: Int, code: Int, category: String = "request", _ description: String) -> Answer {
        Answer(status: status, object: [
            "category": category, "description": description, "http_code": status, "error_code": code,
            "request_id": UUID().uuidString.lowercased(),
        ])
    }

    /// Openpay's documented test cards: the ones that pay, and the error each declined one gives.
    static func outcome(ofCard number: String) -> (code: Int, message: String)? {
        switch number {
        case "4000000000000002": (3001, "The card was declined")
        case "4000000000000069": (3002, "The card has expired")
        case "4444444444444448": (3003, "The card doesn't have sufficient funds")
        case "4000000000000119": (3004, "The card was reported as stolen")
        default: nil
        }
    }

    static let payingCards: Set<String> = ["4111111111111111", "4242424242424242", "5555555555554444", "5105105105105100", "345678000000007"]

    func createToken(_ json: Data) -> Answer {
        let body = Self.object(json)
        guard let number = (body["card_number"] as? String)?.filter(\.isNumber), number.count >= 15,
            Self.payingCards.contains(number) || Self.outcome(ofCard: number) != nil
        else { return Self.error(400, code: 1001, "card_number is not a test card number") }
        guard let holder = body["holder_name"] as? String, !holder.isEmpty else { return Self.error(400, code: 1001, "holder_name is required") }
        let id = newID("k")
        tokens[id] = number
        return .ok(["id": id, "card": ["card_number": String(number.prefix(6)) + "XXXXXX" + String(number.suffix(4)), "holder_name": holder, "brand": number.hasPrefix("4") ? "visa" : "mastercard"] as [String: any Sendable]])
    }

    func createCustomer(_ json: Data, now: Timestamp) -> Answer {
        let body = Self.object(json)
        guard let name = body["name"] as? String, !name.isEmpty else { return Self.error(400, code: 1001, "name is required") }
        guard let email = body["email"] as? String, email.contains("@") else { return Self.error(400, code: 1001, "email is required") }
        var customer: [String: any Sendable] = ["id": newID("a"), "name": name, "email": email, "creation_date": Self.date(now), "status": "active", "balance": 0]
        customer["external_id"] = body["external_id"] as? String
        customers[customer["id"] as! String] = customer
        return .ok(customer)
    }

    func saveCard(customer: String, _ json: Data) -> Answer {
        guard customers[customer] != nil else { return Self.error(404, code: 1005, "The requested resource doesn't exist") }
        guard let token = Self.object(json)["token_id"] as? String, let number = tokens.removeValue(forKey: token) else {
            return Self.error(400, code: 1001, "token_id is invalid or was already used")
        }
        let id = newID("k")
        cards[id] = number
        cardOwners[id] = customer
        return .ok([
            "id": id, "customer_id": customer, "card_number": String(number.prefix(6)) + "XXXXXX" + String(number.suffix(4)), "type": "credit",
            "brand": number.hasPrefix("4") ? "visa" : number.hasPrefix("3") ? "american_express" : "mastercard", "expiration_month": "12", "expiration_year": "30",
            "holder_name": "Tarjeta de prueba", "allows_charges": true,
        ])
    }

    /// `DELETE /v1/{merchant}/customers/{id}/cards/{card}`: answered 204 with no body.
    func deleteCard(customer: String, card: String) -> Answer {
        guard cardOwners[card] == customer, cards.removeValue(forKey: card) != nil else {
            return Self.error(404, code: 1005, "The requested resource doesn't exist")
        }
        cardOwners[card] = nil
        return .noContent
    }

    func createCharge(_ json: Data, customer: String?, now: Timestamp, voucherBase: String) -> Answer {
        let body = Self.object(json)
        guard let amount = Self.centavos(body["amount"]), amount > 0 else { return Self.error(400, code: 1001, "amount must be greater than 0") }
        guard let description = body["description"] as? String, !description.isEmpty else { return Self.error(400, code: 1001, "description is required") }
        guard let method = body["method"] as? String else { return Self.error(400, code: 1001, "method is required") }
        if let customer, customers[customer] == nil { return Self.error(404, code: 1005, "The requested resource doesn't exist") }
        let orderID = (body["order_id"] as? String) ?? newID("o")
        // Openpay keeps order_id unique among the merchant's transactions.
        if charges.values.contains(where: { $0.orderID == orderID }) {
            return Self.error(409, code: 1006, "The order_id has already been processed")
        }
        var charge = Charge(
            id: newID("tr"), method: method, amount: amount, status: "in_progress", description: description, orderID: orderID, customerID: customer,
            fee: 0, created: now
        )
        switch method {
        case "card":
            if (body["confirm"] as? String) == "false" || (body["confirm"] as? Bool) == false {
                // Paid on Openpay's page: the borrower types the card there and comes back to redirect_url.
                guard let redirect = body["redirect_url"] as? String else { return Self.error(400, code: 1001, "redirect_url is required when confirm is false") }
                charge.status = "charge_pending"
                charge.paymentMethod = ["type": "redirect", "url": "\(voucherBase)/_sandbox/checkout/\(charge.id)"]
                redirects[charge.id] = redirect
            } else {
                guard let source = body["source_id"] as? String, let number = tokens.removeValue(forKey: source) ?? cards[source] else {
                    return Self.error(400, code: 1001, "source_id is invalid or was already used")
                }
                if cards[source] != nil, cardOwners[source] != customer {
                    return Self.error(404, code: 1005, "The requested resource doesn't exist")
                }
                // A charge to a customer's saved card made by the merchant (domiciliación) has no browser session.
                let savedCardCharge = cards[source] != nil
                guard savedCardCharge || !((body["device_session_id"] as? String) ?? "").isEmpty else {
                    return Self.error(400, code: 1001, "device_session_id is required")
                }
                if let declined = Self.outcome(ofCard: number) {
                    return Self.error(402, code: declined.code, category: "gateway", declined.message)
                }
                charge.card = ["card_number": String(number.prefix(6)) + "XXXXXX" + String(number.suffix(4)), "brand": number.hasPrefix("4") ? "visa" : "mastercard", "type": "credit"]
                charge.status = "completed"
                charge.paid = now
                charge.fee = amount * 29 / 1000 + 250  // Openpay's card price: 2.9 % + $2.50 (IVA left out)
            }
        case "store":
            let reference = String((0..<20).map { _ in "0123456789ABCDEF".randomElement()! })
            charge.dueDate = body["due_date"] as? String ?? Self.date(now.adding(seconds: 3 * 86_400))
            charge.paymentMethod = ["type": "store", "reference": reference, "barcode_url": "\(voucherBase)/_sandbox/vouchers/\(charge.id)"]
            charge.fee = amount * 29 / 1000 + 250
        case "bank_account":
            let clabe = CLABE.make(bankPrefix: "012", plaza: "180", account: String(format: "%011lld", Int64.random(in: 0...99_999_999_999)))!
            charge.dueDate = body["due_date"] as? String ?? Self.date(now.adding(seconds: 3 * 86_400))
            charge.paymentMethod = ["type": "bank_transfer", "agreement": "1411217", "bank": "BBVA Bancomer", "clabe": clabe, "name": String(format: "%010lld", Int64.random(in: 0...9_999_999_999))]
            charge.fee = 800  // Openpay's SPEI price: $8.00 (IVA left out)
        default:
            return Self.error(400, code: 1001, "method must be card, store or bank_account")
        }
        charges[charge.id] = charge
        emit(charge.status == "completed" ? "charge.succeeded" : "charge.created", charge, now: now)
        return .ok(object(charge))
    }

    /// What the page shows of a charge waiting for its card.
    func awaitingCard(_ id: String) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let charge = charges[id], charge.status == "charge_pending", let back = redirects[id] else { return nil }
        return (charge.amount, charge.description, SandboxCheckoutPage.url(back, adding: [("id", id)]))
    }

    /// The borrower types a test card on the page: the charge completes (or the card is refused there) and the borrower
    /// goes back with the charge's id.
    func payOnPage(_ id: String, card: SandboxCheckoutPage.Card, now: Timestamp) -> SandboxCheckoutPage.Result {
        guard var charge = charges[id], charge.status == "charge_pending", let back = redirects[id] else { return .notFound }
        let number: String =
            switch card {
            case .pays: "4111111111111111"
            case .insufficientFunds: "4444444444444448"
            case .declined: "4000000000000002"
            }
        if let declined = Self.outcome(ofCard: number) { return .refused(declined.message) }
        charge.card = ["card_number": "411111XXXXXX1111", "brand": "visa", "type": "credit"]
        charge.status = "completed"
        charge.paid = now
        charge.fee = charge.amount * 29 / 1000 + 250  // Openpay's card price: 2.9 % + $2.50 (IVA left out)
        charges[id] = charge
        emit("charge.succeeded", charge, now: now)
        return .redirect(SandboxCheckoutPage.url(back, adding: [("id", id)]))
    }

    func charge(_ id: String) -> Answer {
        guard let charge = charges[id] else { return Self.error(404, code: 1005, "The requested resource doesn't exist") }
        return .ok(object(charge))
    }

    /// `GET /charges?order_id=…` (a list, as Openpay answers lists).
    func list(orderID: String?) -> Answer {
        let found = charges.values.filter { orderID == nil || $0.orderID == orderID }.sorted { $0.created > $1.created }
        return .list(found.map(object))
    }

    func refund(_ id: String, _ json: Data, now: Timestamp) -> Answer {
        guard var charge = charges[id] else { return Self.error(404, code: 1005, "The requested resource doesn't exist") }
        guard charge.status == "completed", charge.refunded == 0 else {
            return Self.error(409, code: 1006, "The transaction cannot be refunded: it is \(charge.status)")
        }
        let amount = Self.centavos(Self.object(json)["amount"]) ?? charge.amount
        guard amount > 0, amount <= charge.amount else { return Self.error(400, code: 1001, "amount must not exceed the charge's amount") }
        charge.refunded = amount
        if amount == charge.amount { charge.status = "refunded" }
        charges[id] = charge
        emit("charge.refunded", charge, now: now)
        return .ok(object(charge))
    }

    func control(_ id: String, _ action: SandboxControl, now: Timestamp) -> Answer {
        guard var charge = charges[id] else { return Self.error(404, code: 1005, "The requested resource doesn't exist") }
        guard charge.status == "in_progress" else { return Self.error(409, code: 1006, "The charge is \(charge.status)") }
        switch action {
        case .pay:
            charge.status = "completed"
            charge.paid = now
        case .expire: charge.status = "cancelled"
        case .fail:
            charge.status = "failed"
            charge.errorCode = 3001
            charge.errorMessage = "The payment was declined"
        }
        charges[id] = charge
        emit(["completed": "charge.succeeded", "cancelled": "charge.cancelled", "failed": "charge.failed"][charge.status]!, charge, now: now)
        return .ok(object(charge))
    }

    func summaries() -> [SandboxSummary] {
        charges.values.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.map { charge in
            SandboxSummary(
                id: charge.id, amount: charge.amount, status: charge.status, method: charge.method,
                reference: (charge.paymentMethod?["reference"] as? String) ?? (charge.paymentMethod?["clabe"] as? String), pending: charge.status == "in_progress"
            )
        }
    }

    func voucher(_ id: String) -> (reference: String, amount: Int64, expiresAt: Int64)? {
        guard let charge = charges[id], let reference = charge.paymentMethod?["reference"] as? String else { return nil }
        let due = charge.dueDate.flatMap(MexicoCityTime.parse) ?? charge.created.adding(seconds: 3 * 86_400)
        return (reference, charge.amount, due.millisecondsSince1970 / 1000)
    }

    private func emit(_ type: String, _ charge: Charge, now: Timestamp) {
        records.record(["type": type, "event_date": Self.date(now), "transaction": object(charge)])
    }

    private func object(_ charge: Charge) -> [String: any Sendable] {
        var object: [String: any Sendable] = [
            "id": charge.id, "authorization": charge.status == "completed" || charge.status == "refunded" ? "801585" : NSNull(), "operation_type": "in",
            "transaction_type": "charge", "method": charge.method, "status": charge.status, "conciliated": false, "creation_date": Self.date(charge.created),
            "operation_date": Self.date(charge.paid ?? charge.created), "description": charge.description, "order_id": charge.orderID, "currency": "MXN",
            "amount": Self.pesos(charge.amount),
            "fee": ["amount": Self.pesos(charge.fee), "tax": Self.pesos(charge.fee * 16 / 100), "currency": "MXN"] as [String: any Sendable],
        ]
        object["customer_id"] = charge.customerID
        object["due_date"] = charge.dueDate
        object["payment_method"] = charge.paymentMethod
        object["card"] = charge.card
        object["error_code"] = charge.errorCode
        object["error_message"] = charge.errorMessage
        if charge.refunded > 0 {
            object["refund"] = ["id": "tr" + charge.id.dropFirst(2) + "r", "amount": Self.pesos(charge.refunded), "status": "completed", "transaction_type": "refund"] as [String: any Sendable]
        }
        return object
    }

    // MARK: Values

    static func object(_ json: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:] }

    /// A decimal amount in pesos from JSON, in centavos (from its decimal text).
    static func centavos(_ value: Any?) -> Int64? {
        let text: String
        switch value {
        case let number as NSNumber: text = number.stringValue
        case let string as String: text = string
        default: return nil
        }
        return (try? Money(parsing: text))?.minorUnits
    }

    /// Centavos as a JSON decimal number of pesos.
    static func pesos(_ centavos: Int64) -> NSDecimalNumber { NSDecimalNumber(string: Money(minorUnits: centavos, currency: .mxn).decimalText) }

    /// `2026-11-27T01:03:38-06:00`, as Openpay dates its objects.
    static func date(_ instant: Timestamp) -> String { MexicoCityTime.text(instant) + "-06:00" }
}
