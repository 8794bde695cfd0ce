import CarteraCore
import Foundation

/// The simulated Conekta account: customers, orders with one charge each, refunds, capture transactions, in memory.
actor ConektaSandboxState {
    typealias Answer = SandboxAnswer

    struct Order: Sendable {
        var id: String
        var chargeID: String
        var amount: Int64
        var currency: String
        var status: String  // pending_payment, paid, declined, expired, canceled, partially_refunded, refunded
        var customerInfo: [String: any Sendable]
        var lineItems: [[String: any Sendable]]
        var metadata: [String: any Sendable]
        var referenceID: String?
        var paymentMethod: [String: any Sendable]
        var refunded: Int64 = 0
        var refunds: [[String: any Sendable]] = []
        var fee: Int64 = 0
        var failure: (code: String, message: String)?
        var created: Int64
        var paidAt: Int64?
        /// A HostedPayment checkout: the order is paid on the sandbox's page.
        var checkout: [String: any Sendable]?
    }

    private var customers: [String: [String: any Sendable]] = [:]
    private var orders: [String: Order] = [:]
    private var records = SandboxRecords<[String: any Sendable]>()

    func takeEvents() -> [[String: any Sendable]] { records.takeEvents() }

    private func newID(_ prefix: String) -> String { records.newID(prefix, random: 11, alphabet: "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") }

    private func emit(_ type: String, _ order: Order, at now: Timestamp) {
        records.record([
            "id": newID("evt_"), "object": "event", "type": type, "livemode": false, "created_at": now.millisecondsSince1970 / 1000,
            "data": ["object": object(order), "previous_attributes": [:] as [String: any Sendable]] as [String: any Sendable],
            "webhook_status": "pending",
        ])
    }

    /// Conekta's error body: `{"object": "error", "type", "log_id", "details": [{"code", "param", "message", "debug_message"}]}`.
    static func error(_ status: Int, type: String, code: String, message: String, param: String? = nil, data: [String: any Sendable]? = nil) -> Answer {
        var detail: [String: any Sendable] = ["code": code, "message": message, "debug_message": message]
        if let param { detail["param"] = param }
        var object: [String: any Sendable] = [
            "object": "error", "type": type, "log_id": String(UInt64.random(in: 0...UInt64.max), radix: 16), "details": [detail],
        ]
        if let data { object["data"] = data }
        return Answer(status: status, object: object)
    }

    static func invalid(_ param: String, _ message: String) -> Answer {
        error(422, type: "parameter_validation_error", code: "conekta.errors.parameter_validation.\(param.replacingOccurrences(of: "[0]", with: ""))", message: message, param: param)
    }

    // MARK: Customers

    func createCustomer(_ json: Data, now: Timestamp) -> Answer {
        let body = Self.object(json)
        guard let name = body["name"] as? String, !name.isEmpty else { return Self.invalid("name", "El nombre del cliente es obligatorio.") }
        guard let email = body["email"] as? String, email.contains("@") else { return Self.invalid("email", "El correo electrónico del cliente es obligatorio.") }
        var customer: [String: any Sendable] = [
            "id": newID("cus_"), "object": "customer", "livemode": false, "created_at": now.millisecondsSince1970 / 1000, "name": name, "email": email,
            "corporate": false, "metadata": [:] as [String: any Sendable],
        ]
        customer["phone"] = body["phone"] as? String
        customer["custom_reference"] = body["custom_reference"] as? String
        var sources: [[String: any Sendable]] = []
        for source in body["payment_sources"] as? [[String: Any]] ?? [] {
            guard source["type"] as? String == "card", let token = source["token_id"] as? String, Self.card(token) != nil || Self.decline(token) != nil else {
                return Self.invalid("payment_sources.token_id", "El token de la tarjeta no existe.")
            }
            sources.append(Self.cardSource(newID("src_"), token: token, customer: customer["id"] as! String, now: now))
        }
        customer["payment_sources"] = ["object": "list", "has_more": false, "data": sources] as [String: any Sendable]
        if let first = sources.first { customer["default_payment_source_id"] = first["id"] }
        customers[customer["id"] as! String] = customer
        return .ok(customer)
    }

    /// `POST /customers/{id}/payment_sources`: a card saved from a Conekta.js token (one that pays or one that is
    /// declined when charged, as Conekta's test tokens behave).
    func addPaymentSource(customer id: String, _ json: Data, now: Timestamp) -> Answer {
        guard var customer = customers[id] else {
            return Self.error(404, type: "resource_not_found_error", code: "conekta.errors.resource_not_found.entity", message: "El recurso customer \(id) no existe.")
        }
        let body = Self.object(json)
        guard body["type"] as? String == "card", let token = body["token_id"] as? String, Self.card(token) != nil || Self.decline(token) != nil else {
            return Self.invalid("token_id", "El token de la tarjeta no existe o ya se usó.")
        }
        let source = Self.cardSource(newID("src_"), token: token, customer: id, now: now)
        var list = customer["payment_sources"] as? [String: any Sendable] ?? ["object": "list", "has_more": false]
        list["data"] = (list["data"] as? [[String: any Sendable]] ?? []) + [source]
        customer["payment_sources"] = list
        customers[id] = customer
        return .ok(source)
    }

    /// `DELETE /customers/{id}/payment_sources/{source}`.
    func removePaymentSource(customer id: String, source sourceID: String) -> Answer {
        guard var customer = customers[id], var list = customer["payment_sources"] as? [String: any Sendable],
            let sources = list["data"] as? [[String: any Sendable]], let source = sources.first(where: { $0["id"] as? String == sourceID })
        else {
            return Self.error(404, type: "resource_not_found_error", code: "conekta.errors.resource_not_found.entity", message: "El recurso payment_source \(sourceID) no existe.")
        }
        list["data"] = sources.filter { $0["id"] as? String != sourceID }
        customer["payment_sources"] = list
        customers[id] = customer
        var deleted = source
        deleted["deleted"] = true
        return .ok(deleted)
    }

    static func cardSource(_ id: String, token: String, customer: String, now: Timestamp) -> [String: any Sendable] {
        let (brand, last4) = card(token) ?? (token == "tok_test_insufficient_funds" ? ("visa", "9995") : ("visa", "0002"))
        return [
            "id": id, "object": "payment_source", "type": "card", "created_at": now.millisecondsSince1970 / 1000, "parent_id": customer, "brand": brand,
            "last4": last4, "exp_month": "12", "exp_year": "2030", "name": "Tarjeta de prueba", "default": true, "token": token,
        ]
    }

    // MARK: Orders

    /// Conekta's documented test tokens: brand and last four digits of those that pay.
    static func card(_ token: String) -> (String, String)? {
        switch token {
        case "tok_test_visa_4242": ("visa", "4242")
        case "tok_test_visa_1881": ("visa", "1881")
        case "tok_test_mastercard_4444": ("mastercard", "4444")
        case "tok_test_mastercard_5100": ("mastercard", "5100")
        case "tok_test_amex_0005": ("american_express", "0005")
        case "tok_test_amex_8431": ("american_express", "8431")
        default: nil
        }
    }

    /// The documented tokens that are declined, with Conekta's codes and messages.
    static func decline(_ token: String) -> (code: String, message: String)? {
        switch token {
        case "tok_test_card_declined":
            ("conekta.errors.processing.bank.declined", "La tarjeta ingresada ha sido declinada. Por favor intenta con otro método de pago.")
        case "tok_test_insufficient_funds":
            ("conekta.errors.processing.bank.insufficient_funds", "La tarjeta ingresada no tiene fondos suficientes. Por favor intenta con otro método de pago.")
        default: nil
        }
    }

    func createOrder(_ json: Data, now: Timestamp, voucherBase: String) -> Answer {
        let body = Self.object(json)
        guard let currency = body["currency"] as? String, currency.uppercased() == "MXN" else { return Self.invalid("currency", "La moneda debe ser MXN.") }
        guard let items = body["line_items"] as? [[String: Any]], !items.isEmpty else {
            return Self.invalid("line_items", "La orden debe tener al menos un producto.")
        }
        var amount: Int64 = 0
        var lineItems: [[String: any Sendable]] = []
        for item in items {
            guard let name = item["name"] as? String, let price = (item["unit_price"] as? NSNumber)?.int64Value, price > 0,
                let quantity = (item["quantity"] as? NSNumber)?.int64Value, quantity > 0
            else { return Self.invalid("line_items.unit_price", "Cada producto necesita name, unit_price (centavos) y quantity.") }
            amount += price * quantity
            lineItems.append(["object": "line_item", "id": newID("line_item_"), "name": name, "unit_price": price, "quantity": quantity])
        }
        guard amount >= 300 else { return Self.invalid("amount", "El monto mínimo de una orden es $3.00 MXN.") }
        guard let info = body["customer_info"] as? [String: Any] else { return Self.invalid("customer_info", "Falta customer_info.") }
        var customerInfo: [String: any Sendable] = ["object": "customer_info"]
        var customer: [String: any Sendable]?
        if let customerID = info["customer_id"] as? String {
            guard let known = customers[customerID] else { return Self.error(404, type: "resource_not_found_error", code: "conekta.errors.resource_not_found.entity", message: "El recurso (customer) con id \(customerID) no fue encontrado.") }
            customer = known
            customerInfo["customer_id"] = customerID
            customerInfo["name"] = known["name"]
            customerInfo["email"] = known["email"]
        } else {
            guard let name = info["name"] as? String, !name.isEmpty else { return Self.invalid("customer_info.name", "El nombre del comprador es obligatorio.") }
            guard let email = info["email"] as? String, email.contains("@") else { return Self.invalid("customer_info.email", "El correo del comprador es obligatorio.") }
            customerInfo["name"] = name
            customerInfo["email"] = email
            customerInfo["phone"] = info["phone"] as? String
        }
        if let checkout = body["checkout"] as? [String: Any], body["charges"] == nil {
            guard checkout["type"] as? String == "HostedPayment", let success = checkout["success_url"] as? String else {
                return Self.invalid("checkout.type", "El checkout es de tipo HostedPayment y lleva success_url.")
            }
            var order = Order(
                id: newID("ord_"), chargeID: String((0..<24).map { _ in "0123456789abcdef".randomElement()! }), amount: amount, currency: "MXN", status: "pending_payment",
                customerInfo: customerInfo, lineItems: lineItems, metadata: Self.sendable(body["metadata"] as? [String: Any] ?? [:]), referenceID: nil, paymentMethod: [:],
                created: now.millisecondsSince1970 / 1000
            )
            var object: [String: any Sendable] = [
                "id": newID("chk_"), "object": "checkout", "type": "HostedPayment", "url": "\(voucherBase)/_sandbox/checkout/\(order.id)", "success_url": success,
                "expires_at": (checkout["expires_at"] as? NSNumber)?.int64Value ?? (now.millisecondsSince1970 / 1000 + 86_400), "allowed_payment_methods": ["card"],
                "status": "Issued", "livemode": false,
            ]
            object["failure_url"] = checkout["failure_url"] as? String
            object["name"] = checkout["name"] as? String
            order.checkout = object
            orders[order.id] = order
            emit("order.created", order, at: now)
            return .ok(self.object(order))
        }
        guard let charges = body["charges"] as? [[String: Any]], charges.count == 1, let method = charges[0]["payment_method"] as? [String: Any],
            let type = method["type"] as? String
        else { return Self.invalid("charges", "La orden lleva un cargo con su payment_method.") }
        var order = Order(
            id: newID("ord_"), chargeID: String((0..<24).map { _ in "0123456789abcdef".randomElement()! }), amount: amount, currency: "MXN", status: "pending_payment",
            customerInfo: customerInfo, lineItems: lineItems, metadata: Self.sendable(body["metadata"] as? [String: Any] ?? [:]),
            referenceID: charges[0]["reference_id"] as? String, paymentMethod: [:], created: now.millisecondsSince1970 / 1000
        )
        let expires = (method["expires_at"] as? NSNumber)?.int64Value ?? (now.millisecondsSince1970 / 1000 + 3 * 86_400)
        switch type {
        case "card":
            var token = method["token_id"] as? String
            if let sourceID = method["payment_source_id"] as? String {
                let sources = (customer?["payment_sources"] as? [String: any Sendable])?["data"] as? [[String: any Sendable]] ?? []
                guard let source = sources.first(where: { $0["id"] as? String == sourceID }) else {
                    return Self.invalid("payment_source_id", "La tarjeta guardada \(sourceID) no es de este cliente.")
                }
                token = source["token"] as? String
            }
            guard let token else { return Self.invalid("charges.payment_method.token_id", "Falta token_id o payment_source_id.") }
            let (brand, last4) = Self.card(token) ?? ("visa", "0002")
            order.paymentMethod = [
                "object": "card_payment", "type": "credit", "brand": brand, "last4": last4, "name": (customerInfo["name"] as? String) ?? "", "exp_month": "12",
                "exp_year": "30", "country": "MX", "issuer": "BANAMEX", "auth_code": String(Int.random(in: 100_000...999_999)),
            ]
            if let decline = Self.decline(token) {
                order.status = "declined"
                order.failure = (String(decline.code.split(separator: ".").last!), decline.message)
                orders[order.id] = order
                emit("order.declined", order, at: now)
                return Self.error(402, type: "processing_error", code: decline.code, message: decline.message, param: "payment_method.token_id", data: object(order))
            }
            guard Self.card(token) != nil else {
                return Self.invalid("charges.payment_method.token_id", "El token \(token) no existe o ya se usó.")
            }
            order.fee = amount * 29 / 1000 + 250  // Conekta's card price: 2.9 % + $2.50 (IVA left out)
            pay(&order, now: now)
        case "cash":
            let reference = "9300" + String(format: "%010lld", Int64.random(in: 0...9_999_999_999))
            order.paymentMethod = [
                "object": "cash_payment", "type": "cash", "reference": reference, "barcode_url": "\(voucherBase)/_sandbox/vouchers/\(order.id)",
                "expires_at": expires, "service_name": "OxxoPay", "store_name": "OXXO", "product_type": "cash_in",
            ]
            order.fee = amount * 39 / 1000  // Conekta's cash price: 3.9 % (IVA left out)
        case "spei":
            let clabe = CLABE.make(bankPrefix: "646", plaza: "180", account: String(format: "%011lld", Int64.random(in: 0...99_999_999_999)))!
            order.paymentMethod = [
                "object": "bank_transfer_payment", "type": "spei", "bank": "STP", "clabe": clabe, "receiving_account_number": clabe,
                "receiving_account_bank": "STP", "expires_at": expires, "payment_attempts": [] as [any Sendable],
            ]
            order.fee = 1250  // Conekta's SPEI price: $12.50 (IVA left out)
        default:
            return Self.invalid("charges.payment_method.type", "El tipo de pago \(type) no existe: use card, cash o spei.")
        }
        orders[order.id] = order
        emit(order.status == "paid" ? "order.paid" : "order.pending_payment", order, at: now)
        return .ok(object(order))
    }

    /// What the hosted page shows of an order waiting on it.
    func openCheckout(_ id: String, now: Timestamp) -> (amount: Int64, description: String, cancelURL: String?)? {
        guard let order = orders[id], order.status == "pending_payment", let checkout = order.checkout,
            ((checkout["expires_at"] as? Int64) ?? 0) > now.millisecondsSince1970 / 1000
        else { return nil }
        return (order.amount, (order.lineItems.first?["name"] as? String) ?? "", checkout["failure_url"] as? String)
    }

    /// The borrower pays the order on the hosted page with a test card; a declined card is refused there.
    func payCheckout(_ id: String, card: SandboxCheckoutPage.Card, now: Timestamp) -> SandboxCheckoutPage.Result {
        guard openCheckout(id, now: now) != nil, var order = orders[id], var checkout = order.checkout, let success = checkout["success_url"] as? String else { return .notFound }
        let token: String =
            switch card {
            case .pays: "tok_test_visa_4242"
            case .insufficientFunds: "tok_test_insufficient_funds"
            case .declined: "tok_test_card_declined"
            }
        if let decline = Self.decline(token) { return .refused(decline.message) }
        order.paymentMethod = [
            "object": "card_payment", "type": "credit", "brand": "visa", "last4": "4242", "name": (order.customerInfo["name"] as? String) ?? "", "exp_month": "12",
            "exp_year": "30", "country": "MX", "issuer": "BANAMEX", "auth_code": String(Int.random(in: 100_000...999_999)),
        ]
        order.fee = order.amount * 29 / 1000 + 250  // Conekta's card price: 2.9 % + $2.50 (IVA left out)
        pay(&order, now: now)
        checkout["status"] = "Finalized"
        order.checkout = checkout
        orders[id] = order
        emit("order.paid", order, at: now)
        return .redirect(SandboxCheckoutPage.url(success, adding: [("checkout_id", (checkout["id"] as? String) ?? ""), ("order_id", id), ("payment_status", "paid")]))
    }

    private func pay(_ order: inout Order, now: Timestamp) {
        order.status = "paid"
        order.paidAt = now.millisecondsSince1970 / 1000
    }

    func order(_ id: String) -> Answer {
        guard let order = orders[id] else {
            return Self.error(404, type: "resource_not_found_error", code: "conekta.errors.resource_not_found.entity", message: "El recurso (order) con id \(id) no fue encontrado.")
        }
        return .ok(object(order))
    }

    /// `GET /orders?search=…`: orders whose id, reference, metadata or payer contain the text.
    func list(search: String?, limit: Int) -> Answer {
        let found = orders.values.filter { order in
            guard let search, !search.isEmpty else { return true }
            let haystack = [order.id, order.referenceID ?? "", (order.customerInfo["email"] as? String) ?? ""] + order.metadata.values.compactMap { $0 as? String }
            return haystack.contains { $0.contains(search) }
        }.sorted { ($0.created, $0.id) > ($1.created, $1.id) }
        return .ok(["object": "list", "has_more": found.count > limit, "data": found.prefix(max(1, min(limit, 250))).map(object)])
    }

    func refund(_ id: String, _ json: Data, now: Timestamp) -> Answer {
        let body = Self.object(json)
        guard var order = orders[id] else { return self.order(id) }
        guard let amount = (body["amount"] as? NSNumber)?.int64Value, amount > 0 else { return Self.invalid("amount", "El monto del reembolso es obligatorio (centavos).") }
        guard let reason = body["reason"] as? String, !reason.isEmpty else { return Self.invalid("reason", "El motivo del reembolso es obligatorio.") }
        guard order.status == "paid" || order.status == "partially_refunded" else {
            return Self.error(422, type: "processing_error", code: "conekta.errors.processing.refund.invalid_state", message: "La orden no está pagada; no se puede reembolsar.")
        }
        guard amount <= order.amount - order.refunded else {
            return Self.invalid("amount", "El monto a reembolsar excede lo que queda por reembolsar de la orden.")
        }
        order.refunded += amount
        order.status = order.refunded == order.amount ? "refunded" : "partially_refunded"
        order.refunds.append([
            "id": newID("ref_"), "object": "refund", "amount": -amount, "created_at": now.millisecondsSince1970 / 1000, "status": "pending",
            "auth_code": String(Int.random(in: 100_000...999_999)),
        ])
        orders[id] = order
        emit(order.status == "refunded" ? "order.refunded" : "order.partially_refunded", order, at: now)
        return .ok(object(order))
    }

    /// `GET /transactions?charge_id=…`: a paid charge's capture, with Conekta's fee.
    func transactions(chargeID: String?) -> Answer {
        let paid = orders.values.filter { ($0.paidAt != nil) && (chargeID == nil || $0.chargeID == chargeID) }
        return .ok([
            "object": "list", "has_more": false,
            "data": paid.map { order -> [String: any Sendable] in
                [
                    "id": "txn_" + order.chargeID, "object": "transaction", "type": "capture", "status": "available", "livemode": false, "charge": order.chargeID,
                    "amount": order.amount, "fee": order.fee, "net": order.amount - order.fee, "currency": "MXN", "created_at": order.paidAt ?? order.created,
                ]
            },
        ])
    }

    /// The sandbox's own control of a pending cash or SPEI order.
    func control(_ id: String, _ action: SandboxControl, now: Timestamp) -> Answer {
        guard var order = orders[id] else { return self.order(id) }
        guard order.status == "pending_payment" else {
            return Self.error(422, type: "processing_error", code: "conekta.errors.processing.order.invalid_state", message: "La orden está \(order.status).")
        }
        switch action {
        case .pay:
            pay(&order, now: now)
        case .expire:
            order.status = "expired"
        case .fail:
            order.status = "declined"
            order.failure = ("declined", "El pago fue rechazado por la red de pago.")
        }
        orders[id] = order
        emit("order.\(order.status)", order, at: now)
        return .ok(object(order))
    }

    func summaries() -> [SandboxSummary] {
        orders.values.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.map { order in
            SandboxSummary(
                id: order.id, amount: order.amount, status: order.status, method: (order.paymentMethod["object"] as? String) ?? "",
                reference: (order.paymentMethod["reference"] as? String) ?? (order.paymentMethod["clabe"] as? String), pending: order.status == "pending_payment"
            )
        }
    }

    func voucher(_ id: String) -> (reference: String, amount: Int64, expiresAt: Int64)? {
        guard let order = orders[id], let reference = order.paymentMethod["reference"] as? String, let expires = order.paymentMethod["expires_at"] as? Int64 else { return nil }
        return (reference, order.amount, expires)
    }

    // MARK: Objects

    private func object(_ order: Order) -> [String: any Sendable] {
        var charge: [String: any Sendable] = [
            "id": order.chargeID, "object": "charge", "livemode": false, "created_at": order.created, "currency": order.currency, "amount": order.amount,
            "order_id": order.id, "description": "Payment from order", "status": order.status == "refunded" || order.status == "partially_refunded" ? "paid" : order.status,
            "payment_method": order.paymentMethod, "refunds": ["object": "list", "has_more": false, "data": order.refunds] as [String: any Sendable],
        ]
        charge["reference_id"] = order.referenceID
        charge["paid_at"] = order.paidAt
        charge["failure_code"] = order.failure?.code
        charge["failure_message"] = order.failure?.message
        return [
            "id": order.id, "object": "order", "livemode": false, "amount": order.amount, "amount_refunded": order.refunded, "currency": order.currency,
            "payment_status": order.status, "created_at": order.created, "updated_at": order.paidAt ?? order.created, "metadata": order.metadata,
            "customer_info": order.customerInfo, "is_refundable": order.status == "paid" || order.status == "partially_refunded",
            "line_items": ["object": "list", "has_more": false, "data": order.lineItems] as [String: any Sendable],
            "charges": ["object": "list", "has_more": false, "data": order.paymentMethod.isEmpty ? [] as [[String: any Sendable]] : [charge]] as [String: any Sendable],
            "checkout": order.checkout.map { $0 as any Sendable } ?? NSNull(),
        ]
    }

    /// A request's JSON object (empty when there is none).
    static func object(_ json: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:]
    }

    /// JSON from a request, kept as the sandbox's sendable values.
    static func sendable(_ object: [String: Any]) -> [String: any Sendable] {
        var result: [String: any Sendable] = [:]
        for (key, value) in object {
            switch value {
            case let text as String: result[key] = text
            case let number as NSNumber: result[key] = number.int64Value
            default: result[key] = "\(value)"
            }
        }
        return result
    }
}
