import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import HTTPTypes
import Integrations
import Lending
import Payments
import SQLKit
import Store

/// Payments borrowers make through a gateway. Each is an intent, recorded before the gateway is asked (its id is
/// the gateway's idempotency key and the loan payment's reference), with every request about it recorded as an
/// attempt; what the gateway reports moves it by `PaymentIntent`'s state machine and posts through the lending core.
public struct PaymentIntentBook: Sendable {
    let database: Database
    let book: LoanBook
    let directory: ClientDirectory
    public let connectors: GatewayConnectors
    let clock: @Sendable () -> Timestamp

    public init(database: Database, book: LoanBook, directory: ClientDirectory, connectors: GatewayConnectors, clock: @escaping @Sendable () -> Timestamp) {
        self.database = database
        self.book = book
        self.directory = directory
        self.connectors = connectors
        self.clock = clock
    }

    /// A payment a borrower (or staff, or an API client) asks for.
    public struct Request: Sendable, Decodable {
        public var provider: GatewayProvider
        /// `card`, `cash` or `spei`.
        public var method: String
        /// One of: an amount (`"1250.00"`), an installment number (what remains of it), or the payoff.
        public var amount: String?
        public var installment: Int?
        public var payoff: Bool?
        /// For a card: the token made by the provider's script in the borrower's browser (never a card number).
        public var token: String?
        /// For cash and SPEI: how many days the reference can be paid (1–30, 3 by default).
        public var expiresInDays: Int?
        /// For a card with Openpay: the `device_session_id` Openpay.js made in the borrower's browser.
        public var deviceSessionId: String?
        /// For a card with Mercado Pago: the `payment_method_id` (visa, master, amex…) its script gives with the token.
        public var paymentMethodId: String?
        /// For a card without a token: the borrower pays on the provider's own page (the intent's `voucherUrl`) and is
        /// sent back to this address.
        public var returnUrl: String?

        public init(provider: GatewayProvider, method: String, amount: String? = nil, installment: Int? = nil, payoff: Bool? = nil, token: String? = nil, expiresInDays: Int? = nil) {
            self.provider = provider
            self.method = method
            self.amount = amount
            self.installment = installment
            self.payoff = payoff
            self.token = token
            self.expiresInDays = expiresInDays
        }
    }

    static func refusal(_ code: String, _ message: String, status: HTTPResponse.Status = .unprocessableContent) -> APIError {
        APIError(status: status, code: code, message: message)
    }

    /// A gateway's error as the API and the pages show it.
    static func refusal(_ error: GatewayError) -> APIError {
        switch error {
        case .unsupported, .noCardPage: APIError(status: .unprocessableContent, code: error.code, message: error.message)
        case .refused: APIError(status: .badGateway, code: error.code, message: error.message)
        case .unavailable, .circuitOpen: APIError(status: .serviceUnavailable, code: error.code, message: error.message)
        case .outcomeUnknown: APIError(status: .gatewayTimeout, code: error.code, message: error.message)
        case .invalidResponse: APIError(status: .badGateway, code: error.code, message: error.message)
        }
    }

    /// Records an intent and asks the gateway for the payment. A declined card comes back as a failed intent; a
    /// gateway that cannot be reached leaves the intent failed (nothing was charged) and throws its error; a request
    /// whose outcome is unknown leaves the intent for the janitor.
    public func create(loanID: String, _ request: Request, lenderID: String, actor: Administration.Actor) async throws -> PaymentIntentRecord {
        guard let connector = connectors[request.provider] else {
            throw Self.refusal("gateway_not_configured", "\(request.provider.name) no está configurado en esta financiera. Elija otra forma de pago.")
        }
        guard let kind = GatewayMethod.Kind(rawValue: request.method), kind != .savedCard else {
            throw Self.refusal("method_invalid", "La forma de pago es card (tarjeta), cash (efectivo en tiendas) o spei (transferencia).")
        }
        guard connector.methods.contains(kind) else { throw Self.refusal(GatewayError.unsupported(provider: connector.provider, method: kind)) }
        let (loan, position) = try await book.position(loanID, lenderID: lenderID)
        guard loan.status == .active, let position else {
            throw Self.refusal("loan_not_payable", "Solo se paga un crédito vigente; el crédito está \(loan.status.label.lowercased()).", status: .conflict)
        }
        let amount = try Self.amount(of: request, position: position)
        let now = clock()
        let days = request.expiresInDays ?? 3
        guard (1...30).contains(days) else { throw Self.refusal("expires_invalid", "La referencia vale de 1 a 30 días.") }
        let expiresAt = now.adding(seconds: Int64(days) * 86_400)
        let client = try await directory.get(id: loan.clientId)
        let payerName = client?.displayName ?? "Acreditado \(loan.clientId)"
        let payerEmail = client?.profile.email
        var customerID: String?
        let method: GatewayMethod
        switch kind {
        case .card:
            method = .card(token: try Self.cardToken(request.token, provider: connector.provider))
        case .cash:
            method = .cash(expiresAt: expiresAt)
        case .spei:
            do { customerID = try await connector.createCustomer(name: payerName, email: payerEmail, reference: loan.clientId) } catch { throw Self.refusal(error) }
            method = .spei(customerID: customerID!, expiresAt: expiresAt)
        case .savedCard:
            preconditionFailure("refused above")
        }
        let description = request.installment.map { "Crédito \(loanID), pago \($0)" } ?? "Crédito \(loanID)"
        let id = APIClients.timeOrderedID("pin_", at: now)
        return try await open(
            id: id, lenderID: lenderID, loanID: loanID, installment: request.installment, connector: connector, customerID: customerID, recurring: false, actor: actor,
            charge: GatewayChargeRequest(
                intentID: id, amount: amount, description: description, payerName: payerName, payerEmail: payerEmail, method: method,
                deviceSessionID: request.deviceSessionId, paymentMethodID: request.paymentMethodId
            )
        )
    }

    /// Records the intent `id` with its first attempt (and audit entry) in one transaction, then asks the gateway. A
    /// declined card comes back as a failed intent; a request the gateway surely did not act on fails the intent and
    /// throws; one whose outcome is unknown leaves the intent for the janitor.
    func open(
        id: String, lenderID: String, loanID: String, installment: Int?, connector: any PaymentGateway, customerID: String?, recurring: Bool,
        actor: Administration.Actor, charge request: GatewayChargeRequest
    ) async throws -> PaymentIntentRecord {
        let attemptID = try await begin(
            id: id, lenderID: lenderID, loanID: loanID, installment: installment, provider: connector.provider, kind: request.method.kind, amount: request.amount,
            description: request.description, customerID: customerID, recurring: recurring, attempt: "charge", actor: actor
        )
        return try await send(request, intentID: id, attemptID: attemptID, connector: connector, lenderID: lenderID)
    }

    /// Asks the gateway for a charge whose intent and attempt are recorded, and records what it answered.
    func send(_ request: GatewayChargeRequest, intentID id: String, attemptID: String, connector: any PaymentGateway, lenderID: String) async throws -> PaymentIntentRecord {
        let charge: GatewayCharge
        do {
            charge = try await connector.charge(request)
        } catch {
            try await settleFailedRequest(id, attemptID: attemptID, provider: connector.provider, error: error)
            // Perhaps charged: the intent waits (created) for the janitor to find out; the caller sees it so.
            if !Self.nothingWasDone(error) { return try await intent(id, lenderID: lenderID) }
            throw Self.refusal(error)
        }
        try await recordAnswer(charge, intentID: id, attemptID: attemptID, provider: connector.provider)
        return try await intent(id, lenderID: lenderID)
    }

    /// Records a new intent (`created`) with its first attempt and the audit entry, in one transaction; returns the
    /// attempt's id.
    func begin(
        id: String, lenderID: String, loanID: String, installment: Int?, provider: GatewayProvider, kind: GatewayMethod.Kind, amount: Money, description: String,
        customerID: String?, recurring: Bool, attempt: String, actor: Administration.Actor
    ) async throws -> String {
        let now = clock()
        let attemptID = APIClients.timeOrderedID("pat_", at: now)
        try await database.transaction { db in
            try await Self.insert(
                id: id, lenderID: lenderID, loanID: loanID, installment: installment, provider: provider, kind: kind, amount: amount, description: description,
                customerID: customerID, recurring: recurring, attempt: attempt, attemptID: attemptID, actor: actor, at: now, on: db
            )
        }
        return attemptID
    }

    /// The intent's row (`created`), its first attempt and the audit entry, in the caller's transaction.
    static func insert(
        id: String, lenderID: String, loanID: String, installment: Int?, provider: GatewayProvider, kind: GatewayMethod.Kind, amount: Money, description: String,
        customerID: String?, recurring: Bool, attempt: String, attemptID: String, actor: Administration.Actor, at now: Timestamp, on db: any SQLDatabase
    ) async throws {
            try await db.raw(
                """
                INSERT INTO payment_intents (id, lender_id, loan_id, installment, provider, method, amount, currency, description, status,
                    provider_customer_id, refunded, recurring, created_at, created_by, updated_at, queries, row_version)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: installment), \(bind: provider.rawValue), \(bind: kind.rawValue),
                    \(bind: amount.minorUnits), \(bind: amount.currency.code), \(bind: description), 'created', \(bind: customerID), 0, \(bind: recurring),
                    \(bind: now.text), \(bind: actor.id), \(bind: now.text), 0, 1)
                """
            ).run()
            try await recordAttempt(attemptID, intentID: id, kind: attempt, actor: actor, amount: amount, reason: nil, at: now, on: db)
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "payment_intent.create", objectType: "payment_intent", objectID: id, at: now,
                    change: "\(loanID) \(provider.rawValue) \(kind.rawValue) \(amount.minorUnits)"
                ),
                on: db
            )
    }

    /// A card payment on the provider's own page: the intent is recorded, the provider opens the page (the intent waits
    /// there, `pending`, until the page's time runs out), and the borrower is sent to `url`; the provider sends them
    /// back to `returnURL(intent id)`. The payment arrives by webhook, or when Cartera asks on the borrower's return.
    public func checkout(
        loanID: String, _ request: Request, returnURL: (String) -> String, lenderID: String, actor: Administration.Actor
    ) async throws -> (intent: PaymentIntentRecord, url: String) {
        guard let connector = connectors[request.provider] else {
            throw Self.refusal("gateway_not_configured", "\(request.provider.name) no está configurado en esta financiera. Elija otra forma de pago.")
        }
        guard connector.methods.contains(.card) else { throw Self.refusal(GatewayError.unsupported(provider: connector.provider, method: .card)) }
        let (loan, position) = try await book.position(loanID, lenderID: lenderID)
        guard loan.status == .active, let position else {
            throw Self.refusal("loan_not_payable", "Solo se paga un crédito vigente; el crédito está \(loan.status.label.lowercased()).", status: .conflict)
        }
        let amount = try Self.amount(of: request, position: position)
        let client = try await directory.get(id: loan.clientId)
        let now = clock()
        let id = APIClients.timeOrderedID("pin_", at: now)
        let description = request.installment.map { "Crédito \(loanID), pago \($0)" } ?? "Crédito \(loanID)"
        let attemptID = try await begin(
            id: id, lenderID: lenderID, loanID: loanID, installment: request.installment, provider: connector.provider, kind: .card, amount: amount,
            description: description, customerID: nil, recurring: false, attempt: "checkout", actor: actor
        )
        let page: GatewayCheckout
        do {
            page = try await connector.checkout(GatewayCheckoutRequest(
                intentID: id, amount: amount, description: description, payerName: client?.displayName ?? "Acreditado \(loan.clientId)", payerEmail: client?.profile.email,
                returnURL: returnURL(id), expiresAt: now.adding(seconds: Self.checkoutSeconds)
            ))
        } catch {
            // Opening a page charges nothing: the intent fails whatever the gateway's trouble was.
            try await settleFailedRequest(id, attemptID: attemptID, provider: connector.provider, error: .refused(provider: connector.provider, status: 0, providerCode: error.code, detail: error.message))
            throw Self.refusal(error)
        }
        let expires = page.expiresAt ?? now.adding(seconds: Self.checkoutSeconds)
        let carried = try await database.transaction(isolation: .readCommitted) { db in
            try await db.raw(
                """
                UPDATE payment_intents SET provider_charge_id = \(bind: page.chargeID), voucher_url = \(bind: page.url), expires_at = \(bind: expires.text)
                WHERE id = \(bind: id)
                """
            ).run()
            try await Self.finishAttempt(attemptID, result: "ok", at: now, on: db)
            return try await settle(provider: connector.provider, chargeID: page.chargeID, intentID: id, outcome: .pending, source: "checkout", now: now, on: db).1
        }
        for entry in carried { book.replays.store(entry) }
        return (try await intent(id, lenderID: lenderID), page.url)
    }

    /// How long a provider's card page takes the payment: an hour.
    static let checkoutSeconds: Int64 = 3600

    /// A card token as the provider's script made it; a card number is refused (and never stored).
    static func cardToken(_ text: String?, provider: GatewayProvider) throws -> String {
        guard let token = text?.trimmingCharacters(in: .whitespaces), !token.isEmpty, token.count <= 255 else {
            throw refusal("card_token_required", "Falta el token de la tarjeta que genera el formulario de \(provider.name).")
        }
        guard !CardNumberDetector.containsCardNumber(token), !token.allSatisfy(\.isNumber) else {
            throw refusal("card_number_in_text", "Envíe el token de la tarjeta, nunca su número.")
        }
        return token
    }

    /// What the payment is for: an amount, an installment's remainder or the payoff — never more than the payoff.
    static func amount(of request: Request, position: LoanPosition) throws -> Money {
        let chosen = [request.amount != nil, request.installment != nil, request.payoff == true].filter { $0 }.count
        guard chosen == 1 else { throw refusal("amount_required", "Indique un monto, un número de pago o la liquidación (solo uno).") }
        let amount: Money
        if let text = request.amount {
            guard let parsed = try? Money(parsing: text), parsed.isPositive else { throw refusal("amount_invalid", "El monto se escribe como 1250.00 y es mayor que cero.") }
            amount = parsed
        } else if let number = request.installment {
            guard let installment = position.installments.first(where: { $0.number == number }) else {
                throw refusal("installment_invalid", "El crédito no tiene el pago \(number).")
            }
            amount = installment.remaining
            guard amount.isPositive else { throw refusal("installment_paid", "El pago \(number) ya está cubierto.", status: .conflict) }
        } else {
            amount = position.payoffAmount
        }
        guard amount <= position.payoffAmount else {
            throw refusal("amount_exceeds_payoff", "El monto excede lo necesario para liquidar el crédito (\(position.payoffAmount.formatted(.symbol))).")
        }
        return amount
    }

    static func recordAttempt(
        _ id: String, intentID: String, kind: String, actor: Administration.Actor, amount: Money?, reason: String?, at now: Timestamp, on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO payment_attempts (id, intent_id, kind, requested_at, requested_by, amount, reason, result)
            VALUES (\(bind: id), \(bind: intentID), \(bind: kind), \(bind: now.text), \(bind: actor.id), \(bind: amount?.minorUnits), \(bind: reason), 'sent')
            """
        ).run()
    }

    static func finishAttempt(_ id: String, result: String, error: GatewayError? = nil, detail: String? = nil, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE payment_attempts SET finished_at = \(bind: now.text), result = \(bind: result), error_code = \(bind: error?.code),
                error_message = \(bind: detail ?? error?.message)
            WHERE id = \(bind: id)
            """
        ).run()
    }

    /// Records what the gateway answered to a charge: its id and references, then the outcome through `settle`.
    func recordAnswer(_ charge: GatewayCharge, intentID: String, attemptID: String, provider: GatewayProvider) async throws {
        let now = clock()
        let carried = try await database.transaction(isolation: .readCommitted) { db in
            try await Self.recordCharge(charge, intentID: intentID, on: db)
            let result: String
            if case .failed(let code, let message) = charge.outcome {
                result = "declined"
                try await Self.finishAttempt(attemptID, result: result, detail: "\(code): \(message)", at: now, on: db)
            } else {
                try await Self.finishAttempt(attemptID, result: "ok", at: now, on: db)
            }
            return try await settle(
                provider: provider, chargeID: charge.id, intentID: intentID, outcome: charge.outcome, paidAt: charge.paidAt, source: "answer", now: now, on: db
            ).1
        }
        for entry in carried { book.replays.store(entry) }
    }

    /// Keeps the gateway's id of the payment and what the borrower needs to pay it (reference, voucher, CLABE, expiry).
    static func recordCharge(_ charge: GatewayCharge, intentID: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE payment_intents SET provider_charge_id = \(bind: charge.id), cash_reference = COALESCE(\(bind: charge.cashReference), cash_reference),
                voucher_url = COALESCE(\(bind: charge.voucherURL), voucher_url), clabe = COALESCE(\(bind: charge.clabe), clabe),
                bank_name = COALESCE(\(bind: charge.bankName), bank_name), expires_at = COALESCE(\(bind: charge.expiresAt?.text), expires_at)
            WHERE id = \(bind: intentID)
            """
        ).run()
    }

    /// Whether a failed request surely did nothing at the provider: it refused it (4xx), does not offer it, or the
    /// breaker stopped it before it was sent. A provider that did not answer well (5xx, timeouts, an unreadable answer)
    /// may have acted: that is asked of it later, never assumed.
    static func nothingWasDone(_ error: GatewayError) -> Bool {
        switch error {
        case .refused, .unsupported, .noCardPage: true
        case .circuitOpen(_, _): true
        case .unavailable, .outcomeUnknown, .invalidResponse: false
        }
    }

    /// A charge request that failed: nothing was charged (the intent fails), or it may have been (the janitor asks).
    func settleFailedRequest(_ intentID: String, attemptID: String, provider: GatewayProvider, error: GatewayError) async throws {
        let now = clock()
        try await database.transaction(isolation: .readCommitted) { db in
            if !Self.nothingWasDone(error) {
                try await Self.finishAttempt(attemptID, result: "unknown", error: error, at: now, on: db)
                return
            }
            try await Self.finishAttempt(attemptID, result: "error", error: error, at: now, on: db)
            _ = try await settle(provider: provider, chargeID: nil, intentID: intentID, outcome: .failed(code: error.code, message: error.message), source: "error", now: now, on: db)
        }
    }

    /// Returns money to the payer through the gateway (all that is left when `amount` is nil), with a reason; the
    /// compensating entries are posted when the gateway confirms.
    public func refund(_ intentID: String, amount text: String?, reason: String, lenderID: String, actor: Administration.Actor) async throws -> PaymentIntentRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !CardNumberDetector.containsCardNumber(reason) else {
            throw Self.refusal("reason_required", "Indique el motivo del reembolso (hasta 500 caracteres, sin números de tarjeta).")
        }
        let record = try await intent(intentID, lenderID: lenderID)
        guard record.intent.status.isPaid, record.intent.status != .refunded, let received = record.intent.received, let chargeID = record.providerChargeId else {
            throw Self.refusal("intent_not_refundable", "Solo se reembolsa un pago recibido y no reembolsado del todo; este está \(record.statusLabel.lowercased()).", status: .conflict)
        }
        guard let connector = connectors[record.provider] else {
            throw Self.refusal("gateway_not_configured", "\(record.provider.name) ya no está configurado; no se puede reembolsar por ahí.", status: .conflict)
        }
        let left = received - record.intent.refunded
        var amount: Money?
        if let text {
            guard let parsed = try? Money(parsing: text), parsed.isPositive, parsed <= left else {
                throw Self.refusal("amount_invalid", "El reembolso es mayor que cero y no excede \(left.formatted(.symbol)).")
            }
            amount = parsed == left ? nil : parsed
        }
        let asked = amount
        let now = clock()
        let attemptID = APIClients.timeOrderedID("pat_", at: now)
        // A refund whose outcome is not known yet must be settled first: asking again could return the money twice.
        let open = try await database.withConnection { db in
            try await db.raw(
                "SELECT COUNT(*) AS n FROM payment_attempts WHERE intent_id = \(bind: intentID) AND kind = 'refund' AND result IN ('sent', 'unknown')"
            ).first(decodingColumn: "n", as: Int.self) ?? 0
        }
        guard open == 0 else {
            throw Self.refusal(
                "refund_in_doubt", "Hay un reembolso de este pago cuyo resultado \(record.provider.name) no ha confirmado; Cartera lo confirmará con el aviso de \(record.provider.name). No se pide otro.",
                status: .conflict
            )
        }
        try await database.transaction { db in
            try await Self.recordAttempt(attemptID, intentID: intentID, kind: "refund", actor: actor, amount: asked ?? left, reason: reason, at: now, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "payment_intent.refund", objectType: "payment_intent", objectID: intentID, at: now, change: "\((asked ?? left).minorUnits) \(reason)"),
                on: db
            )
        }
        let outcome: GatewayOutcome
        do {
            outcome = try await connector.refund(chargeID, amount: amount, idempotencyKey: attemptID)
        } catch {
            let done = Self.nothingWasDone(error)
            try await database.transaction { db in try await Self.finishAttempt(attemptID, result: done ? "error" : "unknown", error: error, at: clock(), on: db) }
            if done { throw Self.refusal(error) }
            throw Self.refusal(
                "refund_in_doubt", "No se sabe aún si \(record.provider.name) hizo el reembolso; Cartera lo registrará cuando \(record.provider.name) lo informe. No lo pida de nuevo.",
                status: .accepted
            )
        }
        let carried = try await database.transaction(isolation: .readCommitted) { db in
            try await Self.finishAttempt(attemptID, result: "ok", at: clock(), on: db)
            return try await settle(provider: record.provider, chargeID: chargeID, intentID: intentID, outcome: outcome, source: "refund \(attemptID)", now: clock(), on: db).1
        }
        for entry in carried { book.replays.store(entry) }
        return try await intent(intentID, lenderID: lenderID)
    }

    // MARK: Reading

    public func intent(_ id: String, lenderID: String) async throws -> PaymentIntentRecord {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE id = \(bind: id) AND lender_id = \(bind: lenderID)").first()
        }
        guard let row else {
            throw APIError(status: .notFound, code: "payment_intent_not_found", message: "No existe ese pago en línea. Revise el identificador.")
        }
        return try PaymentIntentRecord(row)
    }

    /// An intent by its id alone (the borrower's return from a gateway's page, without a session); nil when none.
    func intent(returning id: String) async throws -> PaymentIntentRecord? {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE id = \(bind: id)").first()
        }
        return try row.map(PaymentIntentRecord.init)
    }

    public func intents(loanID: String, lenderID: String) async throws -> [PaymentIntentRecord] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC, id DESC"
            ).all().map(PaymentIntentRecord.init)
        }
    }

    /// The latest intents of the lender, optionally in one status.
    public func recent(lenderID: String, status: PaymentIntentStatus? = nil, limit: Int = 100) async throws -> [PaymentIntentRecord] {
        try await database.withConnection { db in
            let filter: SQLQueryString = status.map { " AND status = \(bind: $0.rawValue)" } ?? ""
            return try await db.raw(
                "SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE lender_id = \(bind: lenderID)\(filter) ORDER BY created_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 500)))"
            ).all().map(PaymentIntentRecord.init)
        }
    }

    public func attempts(_ intentID: String) async throws -> [PaymentAttemptRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM payment_attempts WHERE intent_id = \(bind: intentID) ORDER BY requested_at, id").all().map(PaymentAttemptRecord.init)
        }
    }
}
