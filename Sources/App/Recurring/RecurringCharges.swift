import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import Integrations
import Lending
import Logging
import NIOConcurrencyHelpers
import Payments
import SQLKit
import ServiceLifecycle
import Store

/// Charges saved cards on due dates (domiciliación) and retries the charges that fail.
///
/// Each pass: (1) reads what became of the charges in flight (their payment intents move by the gateway's answer,
/// webhook or janitor); (2) opens a due-date charge for each active authorisation whose loan has an installment due
/// today or before (since the authorisation), superseding an older one still waiting; (3) makes the charges whose
/// day came. A charge asks the amount due on the loan that day (capped by the authorisation's maximum); a failed one
/// is tried again on the lender's retry days, then left as exhausted. The borrower gets a notice each time. Every
/// step is claimed with the row's version, so several instances can run passes at once without charging twice.
public final class RecurringCharges: Service, Sendable {
    let database: Database
    let mandates: CardMandateBook
    let logger: Logger
    let interval: Duration
    /// The day each authorisation was last looked at for a due date: once a day is enough (working out a loan's
    /// position every minute for every authorisation would be wasted work); a new one is looked at on the next pass.
    private let lookedAt = NIOLockedValueBox<[String: CalendarDate]>([:])

    public init(database: Database, mandates: CardMandateBook, logger: Logger, interval: Duration = .seconds(60)) {
        self.database = database
        self.mandates = mandates
        self.logger = logger
        self.interval = interval
    }

    var intents: PaymentIntentBook { mandates.intents }
    var book: LoanBook { intents.book }
    static let actor = Administration.Actor(kind: .system, id: "domiciliacion")

    /// What a pass did.
    public struct Summary: Sendable, Encodable, Equatable {
        public var opened = 0
        public var charged = 0
        public var paid = 0
        public var retrying = 0
        public var exhausted = 0
        public var covered = 0
        public var canceled = 0
        public var superseded = 0
        public var ended = 0
        /// Charges the gateway could not confirm: left for people.
        public var unconfirmed = 0
        /// Cards saved on a gateway's page whose borrower never came back, finished (authorised, expired or failed).
        public var setupsEnded = 0
    }

    public func run() async throws {
        // Stopping mid-pass is safe: a claimed charge never sent is freed later, one sent is settled by the janitor.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { _ = try await self.runOnce() } catch { self.logger.error("recurring charges pass failed", metadata: ["error": "\(error)"]) }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass, as the service runs it every minute (and `cartera recurring run` on demand).
    @discardableResult
    public func runOnce() async throws -> Summary {
        var summary = Summary()
        // Cards saved on a gateway's page by borrowers who never came back become their authorisations first.
        summary.setupsEnded = try await mandates.finishAbandonedSetups()
        let today = book.today()
        var schedules: [String: RetrySchedule] = [:]
        try await observe(today: today, schedules: &schedules, summary: &summary)
        summary.canceled += try await cancelOrphans()
        try await open(today: today, summary: &summary)
        try await chargeDue(today: today, summary: &summary)
        // Declines answered at once are settled in the same pass.
        try await observe(today: today, schedules: &schedules, summary: &summary)
        return summary
    }

    /// Due dates still waiting whose authorisation ended (revoked, or its loan closed) are canceled: nothing charges them.
    func cancelOrphans() async throws -> Int {
        let now = intents.clock()
        return try await database.transaction(isolation: .readCommitted) { db in
            try await db.raw(
                """
                UPDATE recurring_charges SET status = 'canceled', next_attempt_on = NULL, updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE status = 'scheduled' AND mandate_id NOT IN (SELECT id FROM card_mandates WHERE status = 'active') RETURNING id
                """
            ).all().count
        }
    }

    // MARK: Opening due dates

    func open(today: CalendarDate, summary: inout Summary) async throws {
        let active = try await database.withConnection { db in
            try await db.raw("SELECT \(CardMandateRecord.columns) FROM card_mandates WHERE status = 'active' ORDER BY id").all().map(CardMandateRecord.init)
        }
        let ids = Set(active.map(\.id))
        let seen = lookedAt.withLockedValue { looked in
            looked = looked.filter { ids.contains($0.key) }  // ended authorisations are forgotten
            return looked
        }
        for mandate in active where seen[mandate.id] != today {
            do {
                try await open(mandate, today: today, summary: &summary)
                lookedAt.withLockedValue { $0[mandate.id] = today }
            } catch {
                logger.error("recurring charge not opened", metadata: ["mandate": "\(mandate.id)", "error": "\(error)"])
            }
        }
    }

    func open(_ mandate: CardMandateRecord, today: CalendarDate, summary: inout Summary) async throws {
        let (loan, position) = try await book.position(mandate.loanId, lenderID: mandate.lenderId, asOf: today)
        let now = intents.clock()
        guard loan.status == .active, let position else {
            // The loan was paid off, written off or restructured: the authorisation has nothing left to charge.
            try await end(mandate, reason: "El crédito está \(loan.status.label.lowercased()); la domiciliación terminó.", at: now)
            summary.ended += 1
            return
        }
        let authorised = Timestamp(text: mandate.authorisedAt)?.calendarDate(utcOffsetSeconds: -6 * 3600) ?? today
        guard let due = position.installments.last(where: { $0.dueDate <= today && $0.dueDate >= authorised }) else { return }
        let id = APIClients.timeOrderedID("rch_", at: now)
        let opened = try await database.transaction(isolation: .readCommitted) { db in
            let inserted = try await db.raw(
                """
                INSERT INTO recurring_charges (id, mandate_id, lender_id, loan_id, installment, due_date, status, attempts, next_attempt_on, created_at, updated_at, row_version)
                VALUES (\(bind: id), \(bind: mandate.id), \(bind: mandate.lenderId), \(bind: mandate.loanId), \(bind: due.number), \(bind: due.dueDate.text), 'scheduled', 0,
                    \(bind: due.dueDate.text), \(bind: now.text), \(bind: now.text), 1)
                ON CONFLICT (mandate_id, installment) DO NOTHING RETURNING id
                """
            ).all()
            guard !inserted.isEmpty else { return 0 }
            // The new charge asks everything due, so an older one still waiting is folded into it.
            return try await db.raw(
                """
                UPDATE recurring_charges SET status = 'superseded', next_attempt_on = NULL, updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE mandate_id = \(bind: mandate.id) AND status = 'scheduled' AND installment < \(bind: due.number) RETURNING id
                """
            ).all().count + 1
        }
        if opened > 0 {
            summary.opened += 1
            summary.superseded += opened - 1
        }
    }

    /// Revokes an authorisation whose loan closed, and tells the borrower.
    func end(_ mandate: CardMandateRecord, reason: String, at now: Timestamp) async throws {
        let ended = try await database.transaction { db in
            let updated = try await db.raw(
                """
                UPDATE card_mandates SET status = 'revoked', revoked_at = \(bind: now.text), revoked_by = \(bind: Self.actor.id), revoke_reason = \(bind: reason),
                    row_version = row_version + 1
                WHERE id = \(bind: mandate.id) AND status = 'active' RETURNING id
                """
            ).all()
            guard updated.count == 1 else { return false }
            try await db.raw(
                "UPDATE recurring_charges SET status = 'canceled', next_attempt_on = NULL, updated_at = \(bind: now.text), row_version = row_version + 1 WHERE mandate_id = \(bind: mandate.id) AND status = 'scheduled'"
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: Self.actor, action: "card_mandate.end", objectType: "card_mandate", objectID: mandate.id, at: now, change: reason), on: db
            )
            try await BorrowerNotices.post(
                kind: "recurring.ended", title: "Terminó la domiciliación de su crédito \(mandate.loanId)",
                body: "\(reason) Ya no se harán cargos a su tarjeta \(mandate.cardLabel).", clientID: mandate.clientId, loanID: mandate.loanId, lenderID: mandate.lenderId,
                at: now, on: db
            )
            return true
        }
        if ended, let connector = intents.connectors[mandate.provider] {
            await mandates.removeQuietly(connector, customerID: mandate.providerCustomerId, card: mandate.card)
        }
    }

    // MARK: Charging

    func chargeDue(today: CalendarDate, summary: inout Summary) async throws {
        let due = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(RecurringChargeRecord.columns) FROM recurring_charges WHERE status = 'scheduled' AND next_attempt_on <= \(bind: today.text)
                    AND mandate_id IN (SELECT id FROM card_mandates WHERE status = 'active')
                ORDER BY next_attempt_on, id LIMIT 500
                """
            ).all().map(RecurringChargeRecord.init)
        }
        for charge in due {
            do {
                try await make(charge, today: today, summary: &summary)
            } catch {
                logger.error("recurring charge failed to run", metadata: ["charge": "\(charge.id)", "error": "\(error)"])
            }
        }
    }

    /// Works out what the charge's turn does (charge the amount due today, or close it: card expired, nothing due,
    /// loan closed; or wait: a card payment on its way, the gateway unconfigured), then claims it — the claim and the
    /// payment intent in one transaction, so no other instance makes it and no claim is ever left without its intent —
    /// and asks the gateway.
    func make(_ charge: RecurringChargeRecord, today: CalendarDate, summary: inout Summary) async throws {
        let mandate = try await mandates.mandate(charge.mandateId, lenderID: charge.lenderID)
        let now = intents.clock()
        guard !mandate.card.hasExpired(by: today) else {
            try await finish(
                charge, version: charge.rowVersion, status: .exhausted, amount: nil, error: ("card_expired", "La tarjeta \(mandate.cardLabel) está vencida."), mandate: mandate,
                notice: (
                    "recurring.card_expired", "Su tarjeta para la domiciliación está vencida",
                    "No podemos cobrar el pago \(charge.installment) de su crédito \(charge.loanId) porque la tarjeta \(mandate.cardLabel) está vencida. Registre una tarjeta vigente o pague en el portal con referencia OXXO o SPEI."
                ),
                at: now
            )
            summary.exhausted += 1
            return
        }
        let (loan, position) = try await book.position(charge.loanId, lenderID: charge.lenderID, asOf: today)
        guard loan.status == .active, let position else {
            try await finish(charge, version: charge.rowVersion, status: .canceled, amount: nil, error: nil, mandate: mandate, notice: nil, at: now)
            summary.canceled += 1
            return
        }
        let due = position.amountDue
        guard due.isPositive else {
            try await finish(charge, version: charge.rowVersion, status: .covered, amount: nil, error: nil, mandate: mandate, notice: nil, at: now)
            summary.covered += 1
            return
        }
        guard let connector = intents.connectors[mandate.provider] else {
            // The gateway was unconfigured meanwhile: nothing can be charged; staff see why.
            try await release(
                charge, version: charge.rowVersion, retryOn: today.adding(days: 1), error: ("gateway_not_configured", "\(mandate.provider.name) no está configurado."), at: now,
                returnTry: false
            )
            return
        }
        let client = try await intents.directory.get(id: loan.clientId)
        let intentID = APIClients.timeOrderedID("pin_", at: now)
        let description = "Domiciliación crédito \(charge.loanId), pago \(charge.installment)"
        let attemptID = APIClients.timeOrderedID("pat_", at: now)
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        enum Claim: Sendable { case claimed(Money), lost, waiting }
        let claim = try await database.transaction(isolation: .readCommitted) { db -> Claim in
            // The authorisation is locked while its charge is claimed: claims of one authorisation (from any instance)
            // and its revocation take turns, so each sees what the other wrote.
            guard try await db.raw("SELECT id FROM card_mandates WHERE id = \(bind: charge.mandateId) AND status = 'active'\(lock)").first() != nil else { return .lost }
            // Card payments of the loan still in flight (another charge, a card page open in the portal) are money on
            // its way: the charge takes the rest, or waits for them.
            let inFlight = try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM payment_intents
                WHERE loan_id = \(bind: charge.loanId) AND status IN ('created', 'pending') AND method IN ('card', 'saved_card')
                """
            ).first(decodingColumn: "total", as: Int64.self) ?? 0
            guard due.minorUnits > inFlight else { return .waiting }
            var amount = Money(minorUnits: due.minorUnits - inFlight, currency: due.currency)
            if let limit = mandate.maxMoney, amount > limit { amount = limit }
            // One charge of an authorisation in flight (or unconfirmed) at a time: the next waits for its result.
            let claimed = try await db.raw(
                """
                UPDATE recurring_charges SET status = 'charging', attempts = attempts + 1, intent_id = \(bind: intentID), amount = \(bind: amount.minorUnits),
                    updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: charge.id) AND row_version = \(bind: charge.rowVersion) AND status = 'scheduled'
                    AND NOT EXISTS (SELECT 1 FROM recurring_charges other WHERE other.mandate_id = \(bind: charge.mandateId) AND other.status IN ('charging', 'unconfirmed'))
                RETURNING id
                """
            ).all().count == 1
            guard claimed else { return .lost }
            try await PaymentIntentBook.insert(
                id: intentID, lenderID: charge.lenderID, loanID: charge.loanId, installment: charge.installment, provider: connector.provider, kind: .savedCard,
                amount: amount, description: description, customerID: mandate.providerCustomerId, recurring: true, attempt: "charge", attemptID: attemptID,
                actor: Self.actor, at: now, on: db
            )
            return .claimed(amount)
        }
        let amount: Money
        switch claim {
        case .lost: return
        case .waiting:
            try await release(charge, version: charge.rowVersion, retryOn: today.adding(days: 1), error: ("payment_in_flight", "Hay un pago con tarjeta en curso."), at: now, returnTry: false)
            return
        case .claimed(let claimed): amount = claimed
        }
        let request = GatewayChargeRequest(
            intentID: intentID, amount: amount, description: description, payerName: client?.displayName ?? "Acreditado \(loan.clientId)", payerEmail: client?.profile.email,
            method: .savedCard(customerID: mandate.providerCustomerId, paymentMethodID: mandate.card.id), paymentMethodID: mandate.card.brand
        )
        summary.charged += 1
        do {
            _ = try await intents.send(request, intentID: request.intentID, attemptID: attemptID, connector: connector, lenderID: charge.lenderID)
        } catch let error as APIError {
            // The gateway refused the request outright: the intent is failed and the next step reads it.
            logger.info("recurring charge refused", metadata: ["charge": "\(charge.id)", "code": "\(error.code)"])
        }
    }

    // MARK: Results

    /// Charge failures that are the gateway's trouble, not the card's: tried again the next day without using a retry.
    static let transientFailures: Set<String> = ["gateway_circuit_open", "gateway_unavailable", "charge_not_found"]
    /// The gateway refused the request itself (a wrong key, an amount it does not take): the lender's trouble.
    static let refusedRequest = "gateway_refused"
    /// The gateway could not confirm whether it charged (PayPal finds orders by its own id only): never retried.
    static let unconfirmedFailures: Set<String> = ["charge_unconfirmed"]
    /// Declines that another try will not change (the card is gone, blocked or not allowed): no retries.
    static let finalDeclines: Set<String> = [
        "lost_card", "stolen_card", "fraudulent", "expired_card", "pickup_card", "restricted_card", "card_not_supported", "authentication_required", "card_expired",
    ]

    func observe(today: CalendarDate, schedules: inout [String: RetrySchedule], summary: inout Summary) async throws {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(RecurringChargeRecord.columns), (SELECT status FROM payment_intents WHERE id = recurring_charges.intent_id) AS intent_status,
                    (SELECT failure_code FROM payment_intents WHERE id = recurring_charges.intent_id) AS intent_failure_code,
                    (SELECT failure_message FROM payment_intents WHERE id = recurring_charges.intent_id) AS intent_failure_message
                FROM recurring_charges WHERE status = 'charging' ORDER BY id LIMIT 1000
                """
            ).all()
        }
        let now = intents.clock()
        for row in rows {
            let charge = try RecurringChargeRecord(row)
            let status = try row.decode(column: "intent_status", as: String?.self).flatMap(PaymentIntentStatus.init(rawValue:))
            do {
                let mandate = try await mandates.mandate(charge.mandateId, lenderID: charge.lenderID)
                guard let status else {
                    // The claim and its intent are written together; a claim without one (left by an older version, or
                    // a database restored in between) is freed after ten minutes without using a try.
                    if let updated = Timestamp(text: charge.updatedAt), now.millisecondsSince1970 - updated.millisecondsSince1970 > 600_000 {
                        try await release(charge, version: charge.rowVersion, retryOn: today, error: nil, at: now, returnTry: true)
                    }
                    continue
                }
                if status.isPaid {
                    let amount = charge.amount.flatMap { try? Money(parsing: $0) }
                    try await finish(
                        charge, version: charge.rowVersion, status: .paid, amount: amount, error: nil, mandate: mandate,
                        notice: (
                            "recurring.paid", "Cobramos su pago \(charge.installment)",
                            "Cargamos \(amount?.formatted(.symbol) ?? "el pago") a su tarjeta \(mandate.cardLabel) para su crédito \(charge.loanId). Gracias."
                        ),
                        at: now
                    )
                    summary.paid += 1
                    continue
                }
                guard status.isFinal else { continue }
                let code = try row.decode(column: "intent_failure_code", as: String?.self) ?? status.rawValue
                let message = try row.decode(column: "intent_failure_message", as: String?.self) ?? status.label
                if Self.unconfirmedFailures.contains(code) {
                    // The gateway may have charged and cannot say: another try could charge twice. People decide.
                    try await finish(charge, version: charge.rowVersion, status: .unconfirmed, amount: nil, error: (code, message), mandate: mandate, notice: nil, at: now)
                    summary.unconfirmed += 1
                    continue
                }
                guard mandate.status == .active else {
                    // Revoked while the charge was on its way: no retry, nothing more to tell.
                    try await finish(charge, version: charge.rowVersion, status: .canceled, amount: nil, error: (code, message), mandate: mandate, notice: nil, at: now)
                    summary.canceled += 1
                    continue
                }
                if schedules[charge.lenderID] == nil { schedules[charge.lenderID] = try await mandates.retrySchedule(lenderID: charge.lenderID) }
                let dueDate = CalendarDate(text: charge.dueDate) ?? today
                // The gateway's trouble, or the lender's (a wrong key, an amount the provider does not take): not the
                // borrower's card, so no retry is used — tried daily until the last retry day, staff seeing why.
                let lenderSide = code == Self.refusedRequest
                let lastDay = dueDate.adding(days: Int64(schedules[charge.lenderID]!.days.last ?? 0))
                if Self.transientFailures.contains(code) || (lenderSide && today < lastDay) {
                    try await release(charge, version: charge.rowVersion, retryOn: today.adding(days: 1), error: (code, message), at: now, returnTry: true)
                    continue
                }
                if lenderSide || Self.finalDeclines.contains(code) {
                    let refusedForGood = !lenderSide
                    try await finish(
                        charge, version: charge.rowVersion, status: .exhausted, amount: nil, error: (code, message), mandate: mandate,
                        notice: refusedForGood
                            ? (
                                "recurring.card_refused", "Su tarjeta ya no acepta cargos",
                                "El banco rechazó la tarjeta \(mandate.cardLabel) (\(message)); no la intentaremos de nuevo. Registre otra tarjeta o pague su pago \(charge.installment) en el portal con referencia OXXO, SPEI o tarjeta."
                            )
                            : (
                                "recurring.exhausted", "No pudimos cobrar su pago \(charge.installment)",
                                "No pudimos hacer el cargo a su tarjeta \(mandate.cardLabel) por este pago. Páguelo en el portal con referencia OXXO, SPEI o tarjeta para evitar intereses moratorios."
                            ),
                        at: now
                    )
                    summary.exhausted += 1
                    continue
                }
                if let next = schedules[charge.lenderID]!.nextAttempt(dueDate: dueDate, failures: charge.attempts, today: today) {
                    if try await retry(charge, on: next, error: (code, message), mandate: mandate, at: now) { summary.retrying += 1 } else { summary.superseded += 1 }
                } else {
                    try await finish(
                        charge, version: charge.rowVersion, status: .exhausted, amount: nil, error: (code, message), mandate: mandate,
                        notice: (
                            "recurring.exhausted", "No pudimos cobrar su pago \(charge.installment)",
                            "No pudimos cargar su pago a la tarjeta \(mandate.cardLabel) (\(message)) y no haremos otro intento por este pago. Pague en el portal con referencia OXXO, SPEI o tarjeta para evitar intereses moratorios."
                        ),
                        at: now
                    )
                    summary.exhausted += 1
                }
            } catch {
                logger.error("recurring charge result not read", metadata: ["charge": "\(charge.id)", "error": "\(error)"])
            }
        }
    }

    /// Schedules the next try, unless a later due date's charge was opened meanwhile (it asks everything due, this
    /// included): then this one is superseded. Returns whether it will be tried again.
    func retry(_ charge: RecurringChargeRecord, on date: CalendarDate, error: (String, String), mandate: CardMandateRecord, at now: Timestamp) async throws -> Bool {
        try await database.transaction(isolation: .readCommitted) { db in
            let newer = try await db.raw(
                "SELECT id FROM recurring_charges WHERE mandate_id = \(bind: charge.mandateId) AND installment > \(bind: charge.installment)"
            ).first()
            if newer != nil {
                try await db.raw(
                    """
                    UPDATE recurring_charges SET status = 'superseded', next_attempt_on = NULL, last_error_code = \(bind: error.0), last_error = \(bind: error.1),
                        updated_at = \(bind: now.text), row_version = row_version + 1
                    WHERE id = \(bind: charge.id) AND row_version = \(bind: charge.rowVersion) AND status = 'charging'
                    """
                ).run()
                return false
            }
            let updated = try await db.raw(
                """
                UPDATE recurring_charges SET status = 'scheduled', next_attempt_on = \(bind: date.text), last_error_code = \(bind: error.0), last_error = \(bind: error.1),
                    updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: charge.id) AND row_version = \(bind: charge.rowVersion) AND status = 'charging' RETURNING id
                """
            ).all()
            guard updated.count == 1 else { return false }
            try await BorrowerNotices.post(
                kind: "recurring.retry", title: "No pudimos cobrar su pago \(charge.installment)",
                body: "No pudimos cargar su pago a la tarjeta \(mandate.cardLabel) (\(error.1)). Lo intentaremos de nuevo el \(Self.text(date)). Si lo prefiere, pague antes en el portal con referencia OXXO, SPEI o tarjeta.",
                clientID: mandate.clientId, loanID: charge.loanId, lenderID: charge.lenderID, at: now, on: db
            )
            return true
        }
    }

    /// Ends a charge (paid, exhausted, covered, canceled) with its notice, if its version still matches.
    func finish(
        _ charge: RecurringChargeRecord, version: Int64, status: RecurringChargeRecord.Status, amount: Money?, error: (String, String)?, mandate: CardMandateRecord,
        notice: (kind: String, title: String, body: String)?, at now: Timestamp
    ) async throws {
        try await database.transaction(isolation: .readCommitted) { db in
            let updated = try await db.raw(
                """
                UPDATE recurring_charges SET status = \(bind: status.rawValue), next_attempt_on = NULL, last_error_code = COALESCE(\(bind: error?.0), last_error_code),
                    last_error = COALESCE(\(bind: error?.1), last_error), updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: charge.id) AND row_version = \(bind: version) RETURNING id
                """
            ).all()
            guard updated.count == 1 else { return }
            if let notice {
                try await BorrowerNotices.post(
                    kind: notice.kind, title: notice.title, body: notice.body, clientID: mandate.clientId, loanID: charge.loanId, lenderID: charge.lenderID, at: now, on: db
                )
            }
            if status == .exhausted || status == .unconfirmed {
                try await AuditLog.append(
                    Administration.entry(
                        actor: Self.actor, action: "recurring_charge.\(status.rawValue)", objectType: "recurring_charge", objectID: charge.id, at: now,
                        change: "\(charge.loanId) \(charge.installment) \(error?.0 ?? "")", outcome: .failure
                    ),
                    on: db
                )
            }
        }
    }

    /// Puts a claimed charge back to wait for `retryOn`; `returnTry` gives back the try it took (the gateway, not the
    /// card, was the trouble).
    func release(_ charge: RecurringChargeRecord, version: Int64, retryOn date: CalendarDate, error: (String, String)?, at now: Timestamp, returnTry: Bool = true) async throws {
        try await database.transaction(isolation: .readCommitted) { db in
            try await db.raw(
                """
                UPDATE recurring_charges SET attempts = attempts - \(literal: returnTry ? 1 : 0),
                    status = CASE
                        WHEN mandate_id NOT IN (SELECT id FROM card_mandates WHERE status = 'active') THEN 'canceled'
                        WHEN EXISTS (SELECT 1 FROM recurring_charges later WHERE later.mandate_id = \(bind: charge.mandateId) AND later.installment > \(bind: charge.installment))
                            THEN 'superseded'
                        ELSE 'scheduled' END,
                    next_attempt_on = CASE
                        WHEN mandate_id NOT IN (SELECT id FROM card_mandates WHERE status = 'active') THEN NULL
                        WHEN EXISTS (SELECT 1 FROM recurring_charges later WHERE later.mandate_id = \(bind: charge.mandateId) AND later.installment > \(bind: charge.installment))
                            THEN NULL
                        ELSE \(bind: date.text) END,
                    last_error_code = COALESCE(\(bind: error?.0), last_error_code), last_error = COALESCE(\(bind: error?.1), last_error),
                    updated_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: charge.id) AND row_version = \(bind: version)
                """
            ).run()
        }
    }

    /// `23/03/2026`, as dates read in Mexico.
    static func text(_ date: CalendarDate) -> String { String(format: "%02d/%02d/%04d", date.day, date.month, date.year) }
}

extension RecurringCharges {
    /// Gateways with active authorisations but no connector here (keys missing from this environment): a pass would
    /// put their due dates off a day.
    public func providersWithoutConnector() async throws -> [GatewayProvider] {
        let used = try await database.withConnection { db in
            try await db.raw("SELECT DISTINCT provider FROM card_mandates WHERE status = 'active'").all(decodingColumn: "provider", as: String.self)
        }
        return used.compactMap(GatewayProvider.init(rawValue:)).filter { intents.connectors[$0] == nil }.sorted { $0.rawValue < $1.rawValue }
    }

    /// The service with its gateways as `cartera serve` sets them up (the environment, then what administrators
    /// saved), for a pass run from the command line.
    public static func standalone(configuration: AppConfiguration, database: Database, keys: LiveKeys, logger: Logger) async throws -> RecurringCharges {
        let gateways = GatewayRegistry(configuration: configuration, store: GatewaySettingsStore(database: database, keys: keys), clock: { .now })
        try await gateways.reload()
        let intents = PaymentIntentBook(
            database: database, book: LoanBook(database: database), directory: ClientDirectory(database: database, keys: keys), connectors: gateways.connectors,
            clock: { .now }
        )
        return RecurringCharges(database: database, mandates: CardMandateBook(database: database, intents: intents, logger: logger), logger: logger)
    }
}
