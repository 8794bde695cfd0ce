import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import HTTPTypes
import Integrations
import Lending
import Logging
import Payments
import SQLKit
import Store

/// Domiciliación: a borrower saves a card with a gateway (as a token; Cartera never sees the number) and authorises
/// Cartera to charge it on each due date of one loan. The authorisation is kept word for word with who gave it and
/// where; the borrower or staff can revoke it at any time, with immediate effect.
public struct CardMandateBook: Sendable {
    let database: Database
    let intents: PaymentIntentBook
    let logger: Logger

    public init(database: Database, intents: PaymentIntentBook, logger: Logger) {
        self.database = database
        self.intents = intents
        self.logger = logger
    }

    var clock: @Sendable () -> Timestamp { intents.clock }

    /// An authorisation asked for through the API (the lender's app tokenises the card with the provider's script).
    public struct Request: Sendable, Decodable {
        public var provider: GatewayProvider
        /// The token the provider's script made in the borrower's browser or app (never a card number).
        public var token: String?
        /// Openpay: the `device_session_id` of Openpay.js.
        public var deviceSessionId: String?
        /// The most one charge may take (`"5000.00"`); without it each charge takes the amount due.
        public var maxAmount: String?
        /// The borrower accepted the authorisation text (`consentText`); required.
        public var consent: Bool?

        public init(provider: GatewayProvider, token: String?, deviceSessionId: String? = nil, maxAmount: String? = nil, consent: Bool?) {
            self.provider = provider
            self.token = token
            self.deviceSessionId = deviceSessionId
            self.maxAmount = maxAmount
            self.consent = consent
        }
    }

    /// The authorisation a borrower accepts, in the words kept with the mandate.
    public static func consentText(loanID: String, lender: String, card: String, maxAmount: Money?) -> String {
        let limit = maxAmount.map { ", sin exceder \($0.formatted(.symbol)) por cargo" } ?? ""
        return """
            Autorizo a \(lender) a cargar a mi tarjeta \(card) el monto exigible de mi crédito \(loanID) en cada fecha de pago\(limit), \
            y a reintentar un cargo no realizado en los días que la financiera informa. Puedo cancelar esta domiciliación en cualquier \
            momento en el portal o con la financiera; la cancelación surte efecto de inmediato y no afecta los pagos ya realizados.
            """
    }

    static func refusal(_ code: String, _ message: String, status: HTTPResponse.Status = .unprocessableContent) -> APIError {
        APIError(status: status, code: code, message: message)
    }

    /// Saves the card with the provider and records the authorisation for `loanID` (one active per loan).
    public func create(loanID: String, _ request: Request, lenderID: String, channel: String, actor: Administration.Actor) async throws -> CardMandateRecord {
        guard request.consent == true else {
            throw Self.refusal("consent_required", "El acreditado debe aceptar la autorización de domiciliación (consent: true).")
        }
        guard let connector = intents.connectors[request.provider] else {
            throw Self.refusal("gateway_not_configured", "\(request.provider.name) no está configurado en esta financiera. Elija otra pasarela.")
        }
        guard connector.methods.contains(.savedCard) else { throw PaymentIntentBook.refusal(GatewayError.unsupported(provider: connector.provider, method: .savedCard)) }
        let token = try PaymentIntentBook.cardToken(request.token, provider: connector.provider)
        let maxAmount = try Self.maxAmount(request.maxAmount)
        let loan = try await mandatable(loanID, lenderID: lenderID)
        let client = try await intents.directory.get(id: loan.clientId)
        let customerID: String
        let card: SavedCard
        do {
            customerID = try await connector.createCustomer(name: client?.displayName ?? "Acreditado \(loan.clientId)", email: client?.profile.email, reference: loan.clientId)
            card = try await connector.saveCard(customerID: customerID, token: token, deviceSessionID: request.deviceSessionId)
        } catch {
            throw PaymentIntentBook.refusal(error)
        }
        let now = clock()
        guard !card.hasExpired(by: intents.book.today()) else {
            await removeQuietly(connector, customerID: customerID, card: card)
            throw Self.refusal("card_expired", "La tarjeta está vencida. Registre una tarjeta vigente.")
        }
        let id = APIClients.timeOrderedID("dom_", at: now)
        let limit = maxAmount
        let lender = try await database.withConnection { db in
            try await db.raw("SELECT legal_name FROM lenders WHERE id = \(bind: lenderID)").first(decodingColumn: "legal_name", as: String.self) ?? "la financiera"
        }
        do {
            try await database.transaction { db in
                let existing = try await db.raw("SELECT id FROM card_mandates WHERE loan_id = \(bind: loanID) AND status = 'active'").first()
                guard existing == nil else {
                    throw Self.refusal("mandate_exists", "El crédito ya tiene una domiciliación activa. Cancélela antes de registrar otra tarjeta.", status: .conflict)
                }
                try await Self.insertMandate(
                    id: id, lenderID: lenderID, loanID: loanID, clientID: loan.clientId, provider: connector.provider, customerID: customerID, card: card, maxAmount: limit,
                    consent: Self.consentText(loanID: loanID, lender: lender, card: card.label, maxAmount: limit), channel: channel,
                    at: now, actor: actor, on: db
                )
            }
        } catch {
            await removeQuietly(connector, customerID: customerID, card: card)
            // Another authorisation of the loan won a race for the one active slot (the unique index refused this one).
            if !(error is APIError), try await active(loanID: loanID, lenderID: lenderID) != nil {
                throw Self.refusal("mandate_exists", "El crédito ya tiene una domiciliación activa. Cancélela antes de registrar otra tarjeta.", status: .conflict)
            }
            throw error
        }
        return try await mandate(id, lenderID: lenderID)
    }

    /// The most one charge may take, as typed (`5000.00`, `5,000.00`); nil when not given.
    static func maxAmount(_ text: String?) throws -> Money? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let parsed = try? Money(parsing: text.replacingOccurrences(of: ",", with: "")), parsed.isPositive else {
            throw refusal("max_amount_invalid", "El monto máximo se escribe como 5000.00 y es mayor que cero.")
        }
        return parsed
    }

    /// The loan, when it can be given an authorisation: active, and without one already.
    func mandatable(_ loanID: String, lenderID: String) async throws -> LoanBook.Record {
        let (loan, _) = try await intents.book.position(loanID, lenderID: lenderID)
        guard loan.status == .active else {
            throw Self.refusal("loan_not_payable", "Solo se domicilia un crédito vigente; el crédito está \(loan.status.label.lowercased()).", status: .conflict)
        }
        if try await active(loanID: loanID, lenderID: lenderID) != nil {
            throw Self.refusal("mandate_exists", "El crédito ya tiene una domiciliación activa. Cancélela antes de registrar otra tarjeta.", status: .conflict)
        }
        return loan
    }

    /// Writes an active authorisation and its audit entry (inside the caller's transaction).
    static func insertMandate(
        id: String, lenderID: String, loanID: String, clientID: String, provider: GatewayProvider, customerID: String, card: SavedCard, maxAmount: Money?, consent: String,
        channel: String, at now: Timestamp, actor: Administration.Actor, on db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO card_mandates (id, lender_id, loan_id, client_id, provider, provider_customer_id, provider_card_id, card_brand, card_last4,
                card_exp_month, card_exp_year, max_amount, status, consent, channel, authorised_at, authorised_by, row_version)
            VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: clientID), \(bind: provider.rawValue), \(bind: customerID),
                \(bind: card.id), \(bind: card.brand), \(bind: card.last4), \(bind: card.expiryMonth), \(bind: card.expiryYear), \(bind: maxAmount?.minorUnits),
                'active', \(bind: consent), \(bind: channel), \(bind: now.text), \(bind: actor.id), 1)
            """
        ).run()
        try await AuditLog.append(
            Administration.entry(
                actor: actor, action: "card_mandate.create", objectType: "card_mandate", objectID: id, at: now,
                change: "\(loanID) \(provider.rawValue) \(card.brand) \(card.last4) \(maxAmount?.minorUnits.description ?? "-") \(channel)"
            ),
            on: db
        )
    }

    /// Ends an authorisation at once: no new charge is made (one already sent finishes), the due dates waiting are
    /// canceled, and the card is deleted at the provider.
    public func revoke(_ id: String, reason: String, lenderID: String, actor: Administration.Actor) async throws -> CardMandateRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !CardNumberDetector.containsCardNumber(reason) else {
            throw Self.refusal("reason_required", "Indique el motivo de la cancelación (hasta 500 caracteres, sin números de tarjeta).")
        }
        let record = try await mandate(id, lenderID: lenderID)
        guard record.status == .active else {
            throw Self.refusal("mandate_not_active", "La domiciliación ya está cancelada.", status: .conflict)
        }
        let now = clock()
        try await database.transaction { db in
            let updated = try await db.raw(
                """
                UPDATE card_mandates SET status = 'revoked', revoked_at = \(bind: now.text), revoked_by = \(bind: actor.id), revoke_reason = \(bind: reason),
                    row_version = row_version + 1
                WHERE id = \(bind: id) AND status = 'active' RETURNING id
                """
            ).all()
            guard updated.count == 1 else { throw Self.refusal("mandate_not_active", "La domiciliación ya está cancelada.", status: .conflict) }
            try await db.raw(
                """
                UPDATE recurring_charges SET status = 'canceled', next_attempt_on = NULL, updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE mandate_id = \(bind: id) AND status = 'scheduled'
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "card_mandate.revoke", objectType: "card_mandate", objectID: id, at: now, change: reason), on: db
            )
        }
        if let connector = intents.connectors[record.provider] {
            await removeQuietly(connector, customerID: record.providerCustomerId, card: record.card)
        }
        return try await mandate(id, lenderID: lenderID)
    }

    /// Deletes a saved card at the provider — unless another active authorisation (another loan of the same borrower)
    /// still uses it; a failure is logged (the mandate no longer allows charges anyway).
    func removeQuietly(_ connector: any PaymentGateway, customerID: String, card: SavedCard) async {
        let provider = connector.provider.rawValue
        let stillUsed = (try? await database.withConnection { db in
            try await db.raw("SELECT id FROM card_mandates WHERE provider = \(bind: provider) AND provider_card_id = \(bind: card.id) AND status = 'active'").first() != nil
        }) ?? true
        guard !stillUsed else { return }
        do {
            try await connector.removeCard(customerID: customerID, cardID: card.id)
        } catch {
            logger.warning("saved card not removed at the provider", metadata: ["provider": "\(connector.provider.rawValue)", "error": "\(error.code)"])
        }
    }

    /// Staff checked with the gateway a charge it could not confirm (and posted the payment by hand if it was made):
    /// the charge is closed with their note, and the authorisation's next due dates may be charged again.
    public func resolve(charge chargeID: String, mandate mandateID: String, note: String, lenderID: String, actor: Administration.Actor) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty, note.count <= 500, !CardNumberDetector.containsCardNumber(note) else {
            throw Self.refusal("note_required", "Anote qué le confirmó la pasarela (hasta 500 caracteres, sin números de tarjeta).")
        }
        let now = clock()
        try await database.transaction { db in
            let updated = try await db.raw(
                """
                UPDATE recurring_charges SET status = 'exhausted', last_error = \(bind: "Revisado: " + note), updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: chargeID) AND mandate_id = \(bind: mandateID) AND lender_id = \(bind: lenderID) AND status = 'unconfirmed' RETURNING id
                """
            ).all()
            guard updated.count == 1 else {
                throw Self.refusal("charge_not_unconfirmed", "Ese cobro no está pendiente de revisión.", status: .conflict)
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "recurring_charge.resolved", objectType: "recurring_charge", objectID: chargeID, at: now, change: note), on: db
            )
        }
    }

    // MARK: Reading

    public func mandate(_ id: String, lenderID: String) async throws -> CardMandateRecord {
        let row = try await database.withConnection { db in
            try await db.raw("SELECT \(CardMandateRecord.columns) FROM card_mandates WHERE id = \(bind: id) AND lender_id = \(bind: lenderID)").first()
        }
        guard let row else { throw APIError(status: .notFound, code: "card_mandate_not_found", message: "No existe esa domiciliación. Revise el identificador.") }
        return try CardMandateRecord(row)
    }

    /// The loan's authorisations, the active one first.
    public func mandates(loanID: String, lenderID: String) async throws -> [CardMandateRecord] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(CardMandateRecord.columns) FROM card_mandates WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID)
                ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END, authorised_at DESC
                """
            ).all().map(CardMandateRecord.init)
        }
    }

    public func active(loanID: String, lenderID: String) async throws -> CardMandateRecord? {
        try await mandates(loanID: loanID, lenderID: lenderID).first { $0.status == .active }
    }

    /// The lender's latest authorisations, optionally only active or revoked ones.
    public func recent(lenderID: String, status: CardMandateRecord.Status? = nil, limit: Int = 200) async throws -> [CardMandateRecord] {
        try await database.withConnection { db in
            let filter: SQLQueryString = status.map { " AND status = \(bind: $0.rawValue)" } ?? ""
            return try await db.raw(
                """
                SELECT \(CardMandateRecord.columns) FROM card_mandates WHERE lender_id = \(bind: lenderID)\(filter)
                ORDER BY authorised_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 1000)))
                """
            ).all().map(CardMandateRecord.init)
        }
    }

    /// A mandate's due-date charges, latest first.
    public func charges(mandateID: String) async throws -> [RecurringChargeRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT \(RecurringChargeRecord.columns) FROM recurring_charges WHERE mandate_id = \(bind: mandateID) ORDER BY due_date DESC, id DESC")
                .all().map(RecurringChargeRecord.init)
        }
    }

    /// The lender's latest due-date charges, optionally in one status.
    public func recentCharges(lenderID: String, status: RecurringChargeRecord.Status? = nil, limit: Int = 200) async throws -> [RecurringChargeRecord] {
        try await database.withConnection { db in
            let filter: SQLQueryString = status.map { " AND status = \(bind: $0.rawValue)" } ?? ""
            return try await db.raw(
                """
                SELECT \(RecurringChargeRecord.columns) FROM recurring_charges WHERE lender_id = \(bind: lenderID)\(filter)
                ORDER BY updated_at DESC, id DESC LIMIT \(literal: max(1, min(limit, 1000)))
                """
            ).all().map(RecurringChargeRecord.init)
        }
    }

    // MARK: Retry schedule

    /// The lender's retry schedule (`RetrySchedule.standard` until an administrator sets one).
    public func retrySchedule(lenderID: String) async throws -> RetrySchedule {
        let text = try await database.withConnection { db in
            try await db.raw("SELECT retry_days FROM recurring_settings WHERE lender_id = \(bind: lenderID)").first(decodingColumn: "retry_days", as: String.self)
        }
        return text.flatMap { try? RetrySchedule(parsing: $0) } ?? .standard
    }

    public func setRetrySchedule(_ text: String, lenderID: String, actor: Administration.Actor) async throws -> RetrySchedule {
        let schedule: RetrySchedule
        do { schedule = try RetrySchedule(parsing: text) } catch { throw Self.refusal(error.code, error.message) }
        let now = clock()
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO recurring_settings (lender_id, retry_days, updated_at, updated_by) VALUES (\(bind: lenderID), \(bind: schedule.text), \(bind: now.text), \(bind: actor.id))
                ON CONFLICT (lender_id) DO UPDATE SET retry_days = excluded.retry_days, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "recurring.retry_schedule", objectType: "lender", objectID: lenderID, at: now, change: schedule.text), on: db
            )
        }
        return schedule
    }
}
