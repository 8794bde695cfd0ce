import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import Lending
import Payments
import SQLKit
import Store

extension PaymentIntentBook {
    /// What applying a gateway's report did.
    public enum Settlement: Sendable, Equatable {
        /// No intent has that charge: a payment made outside Cartera, or a report ahead of the charge's answer.
        case unmatched
        /// Applied; `posted` tells whether it posted a payment or a refund (false for a repeated or pending report).
        case applied(intentID: String, status: PaymentIntentStatus, posted: Bool)
        /// The report cannot be true for the intent (a forged or corrupt event); nothing changed.
        case inconsistent(intentID: String, message: String)
        /// The report comes before what it follows (a refund before its payment is known): it waits.
        case early(intentID: String, message: String)
    }

    /// Applies a report about a payment — from the charge's answer, a webhook or the janitor's query — inside the
    /// caller's transaction, with the intent locked: the intent moves by its state machine and whatever the move
    /// requires is posted through the lending core's one posting path in the same transaction. A payment reaches the
    /// loan (its reference is the intent id, so even a defect could not post it twice); the gateway's fee goes from
    /// its clearing account to fees paid; a refund reverses the payment and posts again what the borrower kept.
    /// Returns the replays to keep after the transaction commits.
    func settle(
        provider: GatewayProvider, chargeID: String?, intentID: String?, outcome: GatewayOutcome, paidAt: Timestamp? = nil, source: String, now: Timestamp,
        on db: any SQLDatabase
    ) async throws -> (Settlement, [ReplayCache.Entry]) {
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        var row: (any SQLRow)?
        if let intentID {
            row = try await db.raw("SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE id = \(bind: intentID) AND provider = \(bind: provider.rawValue)\(lock)").first()
        }
        if row == nil, let chargeID {
            row = try await db.raw(
                "SELECT \(PaymentIntentRecord.columns) FROM payment_intents WHERE provider = \(bind: provider.rawValue) AND provider_charge_id = \(bind: chargeID)\(lock)"
            ).first()
        }
        guard let row else { return (.unmatched, []) }
        let record = try PaymentIntentRecord(row)
        // A report naming another charge than the one recorded is not about this intent — except money that reached
        // the provider for this very intent (on a card page a declined attempt may be the charge recorded first).
        var chargeToRecord = record.providerChargeId ?? chargeID
        if let chargeID, let recorded = record.providerChargeId, recorded != chargeID {
            guard case .paid = outcome, !record.status.isPaid, intentID == record.id else {
                return (.inconsistent(intentID: record.id, message: "El aviso habla del cargo \(chargeID), pero el pago \(record.id) es el cargo \(recorded)."), [])
            }
            chargeToRecord = chargeID
        }
        // While the provider's card page is open a declined card is not the end: the borrower may try another there.
        if case .failed = outcome, record.isCardPage, let closes = record.intent.expiresAt, now < closes {
            return (.applied(intentID: record.id, status: record.status, posted: false), [])
        }
        var intent = record.intent
        if case .refunded = outcome, !intent.status.isPaid {
            return (.early(intentID: record.id, message: "Se reportó un reembolso del pago \(record.id) antes que el pago; espera a que el pago llegue."), [])
        }
        let effect: PaymentIntent.Effect?
        do {
            effect = try intent.apply(outcome, at: now)
        } catch {
            return (.inconsistent(intentID: record.id, message: error.message), [])
        }
        let actor = Self.gatewayActor(provider)
        let channel = provider.channel
        var paymentID = record.paymentId
        var suspenseEntryID = record.suspenseEntryId
        var carried: [ReplayCache.Entry] = []
        let today = book.today()
        switch effect {
        case nil:
            break
        case .postPayment(let amount, let fee):
            // The value date is the day the borrower paid (Mexico City), as the provider says; today when it does not
            // (and never before the loan was disbursed).
            var paidDay = Self.paidDay(paidAt, today: today)
            if paidDay < today, let disbursed = try await db.raw("SELECT disbursed_on FROM loans WHERE id = \(bind: record.loanId)")
                .first(decodingColumn: "disbursed_on", as: String?.self).flatMap({ $0 }).flatMap(CalendarDate.init(text:)) {
                paidDay = max(paidDay, disbursed)
            }
            (paymentID, suspenseEntryID, carried) = try await postPayment(record, amount: amount, reference: record.id, valueDate: paidDay, actor: actor, now: now, on: db)
            if let fee { try await Self.postFee(fee, of: record, on: today, actor: actor, now: now, on: db) }
        case .postFee(let fee):
            try await Self.postFee(fee, of: record, on: today, actor: actor, now: now, on: db)
        case .postRefund(let amount):
            // The gateway reports the money returned: a refund asked whose answer was lost is settled by it.
            try await db.raw(
                """
                UPDATE payment_attempts SET result = 'ok', finished_at = \(bind: now.text)
                WHERE intent_id = \(bind: record.id) AND kind = 'refund' AND result IN ('sent', 'unknown')
                """
            ).run()
            if let paid = paymentID {
                // Undo the payment and post again what the borrower kept, on its value date.
                let reversed = try await book.reverse(
                    record.loanId, payment: paid, reason: "Reembolso de \(amount.formatted(.symbol)) por \(provider.name) (pago \(record.id))",
                    lenderID: record.lenderId, actor: actor, now: now, on: db
                )
                let kept = (intent.received ?? amount) - intent.refunded
                paymentID = nil
                if kept.isPositive {
                    let valueDate = CalendarDate(text: reversed.valueDate) ?? today
                    // Each refund raises the total refunded, so the reference is new each time.
                    let reference = "\(record.id)-r\(intent.refunded.minorUnits)"
                    (paymentID, suspenseEntryID, carried) = try await postPayment(record, amount: kept, reference: reference, valueDate: valueDate, actor: actor, now: now, on: db)
                }
            } else {
                // The money was held in suspense: it leaves from there.
                try await Self.postLenderEntry(
                    record.lenderId, kind: "gateway_refund", on: today, "Reembolso por \(provider.name) del pago \(record.id) en suspenso",
                    debit: .suspense, credit: channel.account, amount, actor: actor, now: now, on: db
                )
            }
        }
        let updated = try await db.raw(
            """
            UPDATE payment_intents SET status = \(bind: intent.status.rawValue), received = \(bind: intent.received?.minorUnits), fee = \(bind: intent.fee?.minorUnits),
                refunded = \(bind: intent.refunded.minorUnits), failure_code = \(bind: intent.failure?.code), failure_message = \(bind: intent.failure?.message),
                payment_id = \(bind: paymentID), suspense_entry_id = \(bind: suspenseEntryID), provider_charge_id = \(bind: chargeToRecord),
                queries = CASE WHEN \(bind: !record.status.isPaid && intent.status.isPaid) THEN 0 ELSE queries END,
                updated_at = \(bind: now.text), row_version = row_version + 1
            WHERE id = \(bind: record.id) AND row_version = \(bind: record.rowVersion)
            RETURNING id
            """
        ).all()
        guard updated.count == 1 else { throw StoreError.busy(detail: "payment intent \(record.id) changed concurrently") }
        if intent.status != record.status || effect != nil {
            try await AuditLog.append(Self.moved(record, to: intent.status, source: source, at: now), on: db)
        }
        return (.applied(intentID: record.id, status: intent.status, posted: effect != nil), carried)
    }

    /// Settles a charge as the provider reports it: its outcome, then the refunds the provider says it made (in
    /// Cartera or in its own dashboard), so money returned outside Cartera is posted too.
    func settle(
        provider: GatewayProvider, chargeID: String?, intentID: String?, outcome: GatewayOutcome, refunded: Money?, paidAt: Timestamp?, source: String, now: Timestamp,
        on db: any SQLDatabase
    ) async throws -> (Settlement, [ReplayCache.Entry]) {
        var (settlement, carried) = try await settle(provider: provider, chargeID: chargeID, intentID: intentID, outcome: outcome, paidAt: paidAt, source: source, now: now, on: db)
        if case .applied(let settled, let status, let posted) = settlement, status.isPaid, let refunded {
            let (after, more) = try await settle(provider: provider, chargeID: chargeID, intentID: settled, outcome: .refunded(total: refunded), source: source, now: now, on: db)
            if case .applied(_, let final, let refundPosted) = after {
                settlement = .applied(intentID: settled, status: final, posted: posted || refundPosted)
                // A refund replays the loan again: only its state is worth keeping.
                if refundPosted { carried = more }
            }
        }
        return (settlement, carried)
    }

    /// Posts money received for an intent to its loan; money the loan cannot take (closed meanwhile) waits in suspense.
    private func postPayment(
        _ record: PaymentIntentRecord, amount: Money, reference: String, valueDate: CalendarDate, actor: Administration.Actor, now: Timestamp,
        on db: any SQLDatabase
    ) async throws -> (paymentID: String?, suspenseEntryID: String?, carried: [ReplayCache.Entry]) {
        var job = LoanBook.PaymentJob(
            loanID: record.loanId, lenderID: record.lenderId, amount: amount, valueDate: valueDate, channel: record.provider.channel,
            reference: reference, excess: .advance, actor: actor, idempotency: nil, now: now
        )
        job.instrument = TransactionMonitor.instrument(ofGatewayMethod: record.method)
        let (results, carried) = try await book.post([job], on: db)
        switch results[0] {
        case .success(let payment):
            return (payment.id, nil, carried)
        case .failure(let error as APIError) where error.code == "payment_duplicate_reference":
            // Posted before (it cannot be, as the intent is locked and was not paid, but if it were): that payment stands.
            let existing = try await db.raw(
                "SELECT id FROM loan_events WHERE loan_id = \(bind: record.loanId) AND channel = \(bind: record.provider.channel.rawValue) AND reference = \(bind: reference)"
            ).first(decodingColumn: "id", as: String.self)
            return (existing, nil, carried)
        case .failure(let error):
            let entryID = try await Self.postLenderEntry(
                record.lenderId, kind: "gateway_suspense", on: valueDate,
                "Pago \(record.id) por \(record.provider.name) no aplicado al crédito \(record.loanId): \((error as? any CarteraError)?.message ?? "\(error)")",
                debit: record.provider.channel.account, credit: .suspense, amount, actor: actor, now: now, on: db
            )
            return (nil, entryID, carried)
        }
    }

    /// The day the borrower paid, in Mexico City, as the provider says (today when it does not; never after today).
    static func paidDay(_ paidAt: Timestamp?, today: CalendarDate) -> CalendarDate {
        paidAt.map { min(today, $0.calendarDate(utcOffsetSeconds: MexicoCityTime.offsetSeconds)) } ?? today
    }

    /// The audit entry of an intent moving from its recorded state to `status` because of `source`.
    static func moved(_ record: PaymentIntentRecord, to status: PaymentIntentStatus, source: String, at now: Timestamp) -> AuditEntry {
        Administration.entry(
            actor: gatewayActor(record.provider), action: "payment_intent.\(status.rawValue)", objectType: "payment_intent", objectID: record.id, at: now,
            change: "\(record.status.rawValue)→\(status.rawValue) \(source)"
        )
    }

    /// What the gateway kept of a payment: from its clearing account to fees paid (nothing for a zero fee).
    static func postFee(_ fee: Money, of record: PaymentIntentRecord, on date: CalendarDate, actor: Administration.Actor, now: Timestamp, on db: any SQLDatabase) async throws {
        guard fee.isPositive else { return }
        try await Journal.post(feeDraft(fee, of: record, on: date), at: now, by: actor.id, on: db)
    }

    /// The entry of a gateway's fee.
    static func feeDraft(_ fee: Money, of record: PaymentIntentRecord, on date: CalendarDate) -> Journal.Draft {
        lenderEntry(
            record.lenderId, kind: "gateway_fee", on: date, "Comisión de \(record.provider.name) por el pago \(record.id)",
            debit: .gatewayFees, credit: record.provider.channel.account, fee
        )
    }

    /// A two-line entry between two of the lender's own accounts (clearing, fees, suspense).
    @discardableResult
    static func postLenderEntry(
        _ lenderID: String, kind: String, on date: CalendarDate, _ description: String, debit: LedgerAccount, credit: LedgerAccount, _ amount: Money,
        actor: Administration.Actor, now: Timestamp, on db: any SQLDatabase
    ) async throws -> String {
        try await Journal.post(
            lenderEntry(lenderID, kind: kind, on: date, description, debit: debit, credit: credit, amount), at: now, by: actor.id, on: db
        )
    }

    static func lenderEntry(
        _ lenderID: String, kind: String, on date: CalendarDate, _ description: String, debit: LedgerAccount, credit: LedgerAccount, _ amount: Money
    ) -> Journal.Draft {
        Journal.Draft(
            lenderID: lenderID, loanID: nil, eventID: nil, kind: kind, valueDate: date, description: description,
            lines: [Journal.Line(account: debit, loanID: nil, amount: amount.minorUnits), Journal.Line(account: credit, loanID: nil, amount: -amount.minorUnits)]
        )
    }
}
