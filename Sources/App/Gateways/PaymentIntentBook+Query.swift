import CarteraCore
import CarteraSecurity
import Foundation
import Integrations
import Payments
import SQLKit
import Store

extension PaymentIntentBook {
    /// Asks the provider how the intent stands and settles what it says, as one attempt (`query` by the provider's id,
    /// `lookup` by the intent's when the provider's is not known): a reference past its expiry (plus an hour's grace
    /// for late notices) that is still unpaid expires; a card page past its time with no payment expires; a charge the
    /// provider never recorded fails after 30 minutes.
    ///
    /// For a borrower back from the provider's page (`byBorrower`), the provider is asked at most every 15 seconds,
    /// and the ask does not count toward the janitor's growing waits.
    public func query(
        _ record: PaymentIntentRecord, connector: any PaymentGateway, now: Timestamp, actor: Administration.Actor = Administration.Actor(kind: .system, id: "janitor"),
        byBorrower: Bool = false
    ) async throws {
        if byBorrower {
            // The turn is taken before the gateway is asked, so requests at once cannot all pass.
            let since = now.adding(seconds: -15).text
            let turn = try await database.transaction(isolation: .readCommitted) { db in
                try await db.raw(
                    """
                    UPDATE payment_intents SET last_queried_at = \(bind: now.text)
                    WHERE id = \(bind: record.id) AND (last_queried_at IS NULL OR last_queried_at < \(bind: since)) RETURNING id
                    """
                ).all().count == 1
            }
            guard turn else { return }
        }
        let attemptID = APIClients.timeOrderedID("pat_", at: now)
        var charge: GatewayCharge?
        var failure: GatewayError?
        do {
            if let chargeID = record.providerChargeId {
                charge = try await connector.retrieve(chargeID)
            } else {
                charge = try await connector.lookup(intentID: record.id)
            }
        } catch {
            failure = error
        }
        var outcome = charge?.outcome
        if outcome == .pending, let expiry = (charge?.expiresAt ?? record.intent.expiresAt), now > expiry.adding(seconds: 3600) {
            outcome = .expired
        }
        if record.method == GatewayMethod.Kind.savedCard.rawValue, outcome == .pending, now > (Timestamp(text: record.createdAt) ?? now).adding(seconds: 86_400) {
            // A charge to a saved card still unsettled after a day (waiting for an authentication nobody will give, or
            // lost): left for people as unconfirmed, never retried; money that still arrives is posted.
            outcome = .failed(code: "charge_unconfirmed", message: "\(record.provider.name) no confirmó el cargo a la tarjeta en un día; revíselo con \(record.provider.name).")
        } else if charge == nil, failure == nil, let expiry = record.intent.expiresAt {
            // A card page (Stripe Checkout, Checkout Pro) the borrower has not paid yet: it waits until the page closes.
            if now > expiry.adding(seconds: 3600) { outcome = .expired }
        } else if charge == nil, failure == nil, now > (Timestamp(text: record.createdAt) ?? now).adding(seconds: 1800) {
            outcome = connector.findsByIntent
                ? .failed(code: "charge_not_found", message: "\(record.provider.name) no registró el cargo; no se cobró nada.")
                : .failed(code: "charge_unconfirmed", message: "\(record.provider.name) no confirmó el cargo; si lo hizo, su aviso lo aplicará al crédito.")
        }
        let decided = outcome
        let (answer, problem) = (charge, failure)
        let carried = try await database.transaction(isolation: .readCommitted) { db -> [ReplayCache.Entry] in
            try await Self.recordAttempt(attemptID, intentID: record.id, kind: record.providerChargeId == nil ? "lookup" : "query", actor: actor, amount: nil, reason: nil, at: now, on: db)
            try await Self.finishAttempt(attemptID, result: problem == nil ? "ok" : "error", error: problem, at: now, on: db)
            try await db.raw(
                "UPDATE payment_intents SET last_queried_at = \(bind: now.text), queries = queries + \(literal: byBorrower ? 0 : 1) WHERE id = \(bind: record.id)"
            ).run()
            // A declined attempt on a card page still open is not the payment: it is not recorded as the intent's charge.
            if let charge = answer, record.providerChargeId == nil, !(record.isCardPage && decided.map { if case .failed = $0 { true } else { false } } == true) {
                try await Self.recordCharge(charge, intentID: record.id, on: db)
            }
            guard let decided else { return [] }
            return try await settle(
                provider: record.provider, chargeID: answer?.id, intentID: record.id, outcome: decided, refunded: answer?.refunded, paidAt: answer?.paidAt, source: "janitor",
                now: now, on: db
            ).1
        }
        for entry in carried { book.replays.store(entry) }
    }
}
