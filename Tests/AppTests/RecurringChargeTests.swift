@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import Integrations
import Lending
import Logging
import NIOHTTP1
import Payments
import SQLKit
import Store
import Testing

/// Domiciliación against the Stripe sandbox: a saved card charged on due dates, retries on the lender's schedule,
/// notices to the borrower, revocation, and passes run at once by several instances.
@Suite("Recurring card charges (domiciliación)")
struct RecurringChargeTests {
    static func services(_ h: GatewayHarness) -> (CardMandateBook, RecurringCharges) {
        let mandates = CardMandateBook(database: h.database, intents: h.intents, logger: Logger(label: "test"))
        return (mandates, RecurringCharges(database: h.database, mandates: mandates, logger: Logger(label: "test")))
    }

    static func authorise(_ h: GatewayHarness, _ mandates: CardMandateBook, token: String, maxAmount: String? = nil) async throws -> CardMandateRecord {
        try await mandates.create(
            loanID: h.loanID, .init(provider: .stripe, token: token, maxAmount: maxAmount, consent: true), lenderID: h.fixture.lenderID, channel: "api", actor: GatewayHarness.actor
        )
    }

    /// Moves the test clock to noon (Mexico City) of `date`.
    static func travel(_ h: GatewayHarness, to date: CalendarDate) {
        let target = Int64(date.daysSince1970) * 86_400 + 18 * 3600
        h.clock.advance(seconds: target - h.clock.read().millisecondsSince1970 / 1000)
    }

    /// The loan's next due date after the authorisation, and what is due on it.
    static func nextDue(_ h: GatewayHarness) async throws -> (installment: Int, date: CalendarDate) {
        let (_, position) = try await h.book.position(h.loanID, lenderID: h.fixture.lenderID)
        let next = try #require(position?.nextInstallment)
        return (next.number, next.dueDate)
    }

    static func amountDue(_ h: GatewayHarness, on date: CalendarDate) async throws -> Money {
        try #require(try await h.book.position(h.loanID, lenderID: h.fixture.lenderID, asOf: date).1).amountDue
    }

    static func charges(_ h: GatewayHarness) async throws -> [RecurringChargeRecord] {
        try await h.database.withConnection { db in
            try await db.raw("SELECT \(RecurringChargeRecord.columns) FROM recurring_charges ORDER BY due_date, id").all().map(RecurringChargeRecord.init)
        }
    }

    static func notices(_ h: GatewayHarness) async throws -> [BorrowerNotice] {
        try await BorrowerNotices.latest(clientID: h.fixture.clientID, lenderID: h.fixture.lenderID, database: h.database).reversed()
    }

    @Test("A card saved on the gateway's page by a borrower who never came back becomes the loan's authorisation on the next pass; one whose page never opened is given up", arguments: TestEngine.available)
    func passFinishesAbandonedSetups(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            let borrower = Administration.Actor(kind: .user, id: "usr_borrower")
            let terms = try await mandates.setupTerms(loanID: h.loanID, provider: "stripe", maxAmount: "2500.00", lenderID: h.fixture.lenderID)
            let setup = try await mandates.beginSetup(
                loanID: h.loanID, terms: terms, returnURL: { "\(h.sandboxURL)/_sandbox?volver=\($0)" }, lenderID: h.fixture.lenderID, actor: borrower
            )
            // The borrower saves the card on Stripe's page and closes the tab (the sandbox's page, by its path).
            let page = try #require(setup.pageUrl.flatMap { $0.range(of: "/_sandbox/checkout/") }.map { String(setup.pageUrl![$0.lowerBound...]) })
            let http = ProviderHTTPClient(provider: .stripe, baseURL: h.sandboxURL, policy: RetryPolicy(maximumAttempts: 1, baseDelay: .milliseconds(5)))
            let saved = try await http.send(.init(method: .POST, path: page, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("tarjeta=paga".utf8), idempotent: false))
            #expect(saved.status == 200)  // the client follows the page back to the return address (here the sandbox's own list)
            // A pass right away leaves a fresh setup to the borrower's own return; two minutes on, it is finished.
            #expect(try await recurring.runOnce().setupsEnded == 0)
            h.clock.advance(seconds: 180)
            #expect(try await recurring.runOnce().setupsEnded == 1)
            let mandate = try #require(try await mandates.active(loanID: h.loanID, lenderID: h.fixture.lenderID))
            #expect(mandate.channel == "portal" && mandate.authorisedBy == "usr_borrower" && mandate.maxAmount == "2500.00" && mandate.consent == terms.consent)
            #expect(try await mandates.setup(setup.id)?.mandateId == mandate.id)

            // A setup whose page never opened (the process died between recording it and asking Stripe) is given up.
            let now = h.clock.read()
            try await h.database.withConnection { db in
                try await db.raw(
                    """
                    INSERT INTO card_setups (id, lender_id, loan_id, client_id, provider, provider_customer_id, consent, status, requested_by, created_at, expires_at, row_version)
                    VALUES ('dse_never_opened', \(bind: h.fixture.lenderID), \(bind: h.loanID), \(bind: h.fixture.clientID), 'stripe', 'cus_x', 'texto', 'open', 'usr_borrower',
                        \(bind: now.text), \(bind: now.adding(seconds: 3600).text), 1)
                    """
                ).run()
            }
            h.clock.advance(seconds: 180)
            #expect(try await recurring.runOnce().setupsEnded == 0)  // still opening, perhaps
            h.clock.advance(seconds: 600)
            #expect(try await recurring.runOnce().setupsEnded == 1)
            #expect(try await mandates.setup("dse_never_opened")?.status == .failed)
        }
    }

    @Test("A saved card is charged the amount due on the due date, once, posted to the loan, and the borrower is told", arguments: TestEngine.available)
    func paysOnDueDate(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            let mandate = try await Self.authorise(h, mandates, token: "tok_visa")
            #expect(mandate.status == .active && mandate.cardLabel == "Visa •••• 4242 (vence 12/2034)" && mandate.channel == "api")
            #expect(mandate.consent.contains("Visa terminación 4242") && mandate.consent.contains(h.loanID) && mandate.consent.contains("cancelar"))
            // The first installment fell due before the authorisation: it is not charged by it.
            #expect(try await recurring.runOnce() == .init())
            let (number, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            let due = try await Self.amountDue(h, on: date)
            #expect(due.isPositive)
            let summary = try await recurring.runOnce()
            #expect(summary.opened == 1 && summary.charged == 1 && summary.paid == 1)
            let charges = try await Self.charges(h)
            #expect(charges.count == 1 && charges[0].status == .paid && charges[0].installment == number && charges[0].attempts == 1)
            #expect(charges[0].amount == QuoteDocument.amount(due) && charges[0].dueDate == date.text)
            let payments = try await h.payments()
            #expect(payments.count == 1 && payments[0].amount == due.minorUnits && payments[0].reference == charges[0].intentId)
            let intent = try await h.intents.intent(try #require(charges[0].intentId), lenderID: h.fixture.lenderID)
            #expect(intent.recurring && intent.method == "saved_card" && intent.status == .succeeded && intent.createdBy == "domiciliacion")
            #expect(try await h.book.position(h.loanID, lenderID: h.fixture.lenderID, asOf: date).1?.amountDue == .zero())
            let notices = try await Self.notices(h)
            #expect(notices.map(\.kind) == ["recurring.paid"] && notices[0].body.contains(due.formatted(.symbol)) && notices[0].body.contains("Visa •••• 4242"))
            // Later passes the same day, and the next days, do nothing more for that due date.
            #expect(try await recurring.runOnce() == .init())
            Self.travel(h, to: date.adding(days: 3))
            #expect(try await recurring.runOnce() == .init())
            #expect(try await h.payments().count == 1)
            try await h.verifyLedger()
        }
    }

    @Test("A declined card is retried on days 2, 5 and 8 after the due date, with a notice each time, then left unpaid", arguments: TestEngine.available)
    func retriesThenExhausts(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            let mandate = try await Self.authorise(h, mandates, token: "tok_chargeDeclinedInsufficientFunds")
            #expect(mandate.card.last4 == "9995")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            var summary = try await recurring.runOnce()
            #expect(summary.charged == 1 && summary.retrying == 1)
            var charge = try #require(try await Self.charges(h).first)
            #expect(charge.status == .scheduled && charge.attempts == 1 && charge.nextAttemptOn == date.adding(days: 2).text && charge.lastErrorCode == "insufficient_funds")
            // Nothing before the retry day.
            Self.travel(h, to: date.adding(days: 1))
            #expect(try await recurring.runOnce() == .init())
            for (attempt, day) in [(2, 2), (3, 5)] {
                Self.travel(h, to: date.adding(days: Int64(day)))
                summary = try await recurring.runOnce()
                #expect(summary.charged == 1 && summary.retrying == 1)
                charge = try #require(try await Self.charges(h).first)
                #expect(charge.attempts == attempt && charge.status == .scheduled)
            }
            #expect(charge.nextAttemptOn == date.adding(days: 8).text)
            Self.travel(h, to: date.adding(days: 8))
            summary = try await recurring.runOnce()
            #expect(summary.charged == 1 && summary.exhausted == 1)
            charge = try #require(try await Self.charges(h).first)
            #expect(charge.status == .exhausted && charge.attempts == 4 && charge.nextAttemptOn == nil)
            let notices = try await Self.notices(h)
            #expect(notices.map(\.kind) == ["recurring.retry", "recurring.retry", "recurring.retry", "recurring.exhausted"])
            #expect(notices[0].body.contains(RecurringCharges.text(date.adding(days: 2))) && notices[3].body.contains("OXXO"))
            let intents = try await h.intents.intents(loanID: h.loanID, lenderID: h.fixture.lenderID)
            #expect(intents.count == 4 && intents.allSatisfy { $0.recurring && $0.status == .failed })
            #expect(try await h.payments().isEmpty)
            let audited = try await h.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'recurring_charge.exhausted'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 1)
            Self.travel(h, to: date.adding(days: 20))
            #expect(try await recurring.runOnce().charged == 0)
        }
    }

    @Test("A card the bank reports stolen is not retried; the borrower is asked for another card", arguments: TestEngine.available)
    func finalDecline(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            _ = try await Self.authorise(h, mandates, token: "tok_chargeDeclinedStolenCard")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            let summary = try await recurring.runOnce()
            #expect(summary.charged == 1 && summary.exhausted == 1 && summary.retrying == 0)
            let charge = try #require(try await Self.charges(h).first)
            #expect(charge.status == .exhausted && charge.attempts == 1 && charge.lastErrorCode == "stolen_card")
            #expect(try await Self.notices(h).map(\.kind) == ["recurring.card_refused"])
            Self.travel(h, to: date.adding(days: 2))
            #expect(try await recurring.runOnce().charged == 0)
        }
    }

    @Test("A charge the gateway refuses as a request (an amount below its minimum) uses none of the borrower's retries: tried daily, staff see why, then left", arguments: TestEngine.available)
    func lenderSideRefusal(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            // Stripe takes no less than $10.00 MXN: a maximum of $5.00 makes every charge a refused request.
            _ = try await Self.authorise(h, mandates, token: "tok_visa", maxAmount: "5.00")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            _ = try await recurring.runOnce()
            var charge = try #require(try await Self.charges(h).first)
            #expect(charge.status == .scheduled && charge.attempts == 0 && charge.nextAttemptOn == date.adding(days: 1).text && charge.lastErrorCode == "gateway_refused")
            #expect(try await Self.notices(h).isEmpty)
            Self.travel(h, to: date.adding(days: 1))
            _ = try await recurring.runOnce()
            charge = try #require(try await Self.charges(h).first)
            #expect(charge.status == .scheduled && charge.attempts == 0 && charge.nextAttemptOn == date.adding(days: 2).text)
            // Past the last retry day (8) it is left, and the borrower is told to pay otherwise.
            Self.travel(h, to: date.adding(days: 8))
            #expect(try await recurring.runOnce().exhausted == 1)
            #expect(try await Self.charges(h).first?.status == .exhausted)
            #expect(try await Self.notices(h).map(\.kind) == ["recurring.exhausted"])
        }
    }

    @Test("A charge the gateway could not confirm holds the authorisation's next charges until staff record what the gateway said", arguments: TestEngine.available)
    func unconfirmedHoldsUntilResolved(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            let mandate = try await Self.authorise(h, mandates, token: "tok_visa")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            #expect(try await recurring.runOnce().paid == 1)
            // As if that charge had been left unconfirmed by the gateway (PayPal's lost answer).
            let first = try #require(try await Self.charges(h).first)
            try await h.database.transaction { db in
                try await db.raw("UPDATE recurring_charges SET status = 'unconfirmed' WHERE id = \(bind: first.id)").run()
            }
            let (_, next) = try await Self.nextDue(h)
            Self.travel(h, to: next)
            let held = try await recurring.runOnce()
            #expect(held.opened == 1 && held.charged == 0)
            await #expect(throws: APIError.self) {
                try await mandates.resolve(charge: first.id, mandate: mandate.id, note: " ", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            }
            try await mandates.resolve(charge: first.id, mandate: mandate.id, note: "PayPal confirmó el cobro; ya estaba aplicado", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            #expect(try await recurring.runOnce().charged == 1)
            let audited = try await h.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'recurring_charge.resolved'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 1)
        }
    }

    @Test("A card payment already on its way (a card page open in the portal) is not charged again: the charge takes only the rest", arguments: TestEngine.available)
    func paymentInFlight(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            _ = try await Self.authorise(h, mandates, token: "tok_visa")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            let due = try await Self.amountDue(h, on: date)
            // A card payment of 500.00 the borrower started (recorded, the gateway not yet answered).
            _ = try await h.intents.begin(
                id: "pin_in_flight", lenderID: h.fixture.lenderID, loanID: h.loanID, installment: nil, provider: .stripe, kind: .card, amount: .mxn(centavos: 50_000),
                description: "Crédito", customerID: nil, recurring: false, attempt: "checkout", actor: GatewayHarness.actor
            )
            #expect(try await recurring.runOnce().paid == 1)
            let charge = try #require(try await Self.charges(h).first)
            #expect(charge.amount == QuoteDocument.amount(due - .mxn(centavos: 50_000)))
        }
    }

    @Test("An administrator's retry days are used; wrong ones are refused", arguments: TestEngine.available)
    func customSchedule(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            await #expect(throws: APIError.self) { _ = try await mandates.setRetrySchedule("5,3", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor) }
            #expect(try await mandates.setRetrySchedule("1", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor).days == [1])
            #expect(try await mandates.retrySchedule(lenderID: h.fixture.lenderID).days == [1])
            _ = try await Self.authorise(h, mandates, token: "tok_chargeDeclined")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            #expect(try await recurring.runOnce().retrying == 1)
            Self.travel(h, to: date.adding(days: 1))
            #expect(try await recurring.runOnce().exhausted == 1)
            #expect(try await Self.charges(h).first?.attempts == 2)
        }
    }

    @Test("A revoked authorisation charges nothing more and its card is deleted at the provider; bad requests are refused clearly", arguments: TestEngine.available)
    func revocation(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            func refusal(_ request: CardMandateBook.Request) async -> String? {
                do {
                    _ = try await mandates.create(loanID: h.loanID, request, lenderID: h.fixture.lenderID, channel: "api", actor: GatewayHarness.actor)
                    return nil
                } catch let error as APIError { return error.code } catch { return "\(error)" }
            }
            #expect(await refusal(.init(provider: .stripe, token: "tok_visa", consent: nil)) == "consent_required")
            #expect(await refusal(.init(provider: .stripe, token: "4242 4242 4242 4242", consent: true)) == "card_number_in_text")
            #expect(await refusal(.init(provider: .conekta, token: "tok_visa", consent: true)) == "gateway_not_configured")
            #expect(await refusal(.init(provider: .stripe, token: "tok_visa", maxAmount: "-1", consent: true)) == "max_amount_invalid")
            #expect(await refusal(.init(provider: .stripe, token: "tok_unknown", consent: true)) == "gateway_refused")
            let mandate = try await Self.authorise(h, mandates, token: "tok_visa", maxAmount: "500.00")
            #expect(mandate.maxAmount == "500.00" && mandate.consent.contains("sin exceder $500.00"))
            #expect(await refusal(.init(provider: .stripe, token: "tok_mastercard", consent: true)) == "mandate_exists")
            let (_, date) = try await Self.nextDue(h)
            await #expect(throws: APIError.self) { _ = try await mandates.revoke(mandate.id, reason: " ", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor) }
            let revoked = try await mandates.revoke(mandate.id, reason: "El acreditado lo pidió por teléfono", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            #expect(revoked.status == .revoked && revoked.revokeReason == "El acreditado lo pidió por teléfono" && revoked.revokedBy == GatewayHarness.actor.id)
            await #expect(throws: APIError.self) { _ = try await mandates.revoke(mandate.id, reason: "otra vez", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor) }
            // The provider no longer charges the card.
            let stripe = try #require(h.intents.connectors[.stripe])
            let after = try? await stripe.charge(GatewayChargeRequest(
                intentID: "pin_after_revoke", amount: .mxn(centavos: 10_000), description: "x", payerName: "x", payerEmail: nil,
                method: .savedCard(customerID: mandate.providerCustomerId, paymentMethodID: mandate.card.id)
            ))
            #expect(after == nil)
            Self.travel(h, to: date)
            #expect(try await recurring.runOnce() == .init())
            #expect(try await h.payments().isEmpty)
            // A new authorisation may be given once the old one is revoked; the maximum caps each charge.
            _ = try await Self.authorise(h, mandates, token: "tok_mastercard", maxAmount: "500.00")
            #expect(try await mandates.mandates(loanID: h.loanID, lenderID: h.fixture.lenderID).map(\.status) == [.active, .revoked])
        }
    }

    @Test("A due date already paid otherwise is not charged; the maximum authorised caps a charge; a loan paid off ends the authorisation", arguments: TestEngine.available)
    func capCoveredAndEnd(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, recurring) = Self.services(h)
            let mandate = try await Self.authorise(h, mandates, token: "tok_visa", maxAmount: "500.00")
            // The borrower pays everything due in cash on the due date, before the pass: the charge finds nothing to take.
            let (number, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            let due = try await Self.amountDue(h, on: date)
            _ = try await h.book.pay(
                h.loanID, .init(amount: QuoteDocument.amount(due), valueDate: date.text, channel: .cash, reference: "CAJA-1"), lenderID: h.fixture.lenderID, actor: .commandLine
            )
            var summary = try await recurring.runOnce()
            #expect(summary.opened == 1 && summary.covered == 1 && summary.charged == 0)
            let first = try #require(try await Self.charges(h).last)
            #expect(first.installment == number && first.status == .covered)
            // The next due date: the charge takes no more than the 500.00 authorised.
            let (_, next) = try await Self.nextDue(h)
            Self.travel(h, to: next)
            #expect(try await Self.amountDue(h, on: next) > .mxn(centavos: 50_000))
            #expect(try await recurring.runOnce().paid == 1)
            #expect(try await h.payments().map(\.amount).last == 50_000)
            // Paid off in cash: at the next day's look the authorisation ends, the card is deleted, the borrower is told.
            let payoff = try #require(try await h.book.position(h.loanID, lenderID: h.fixture.lenderID, asOf: next).1).payoffAmount
            _ = try await h.book.pay(
                h.loanID, .init(amount: QuoteDocument.amount(payoff), valueDate: next.text, channel: .cash, reference: "CAJA-2"), lenderID: h.fixture.lenderID, actor: .commandLine
            )
            #expect(try await recurring.runOnce().ended == 0)  // already looked at today
            Self.travel(h, to: next.adding(days: 1))
            summary = try await recurring.runOnce()
            #expect(summary.ended == 1)
            let ended = try await mandates.mandate(mandate.id, lenderID: h.fixture.lenderID)
            #expect(ended.status == .revoked && ended.revokedBy == "domiciliacion" && ended.revokeReason?.contains("liquidado") == true)
            #expect(Set(try await Self.notices(h).map(\.kind)) == ["recurring.paid", "recurring.ended"])
            try await h.verifyLedger()
        }
    }

    @Test("Several instances running passes at once charge a due date once", arguments: TestEngine.available)
    func concurrentPasses(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (mandates, _) = Self.services(h)
            _ = try await Self.authorise(h, mandates, token: "tok_visa")
            let (_, date) = try await Self.nextDue(h)
            Self.travel(h, to: date)
            let instances = (0..<4).map { _ in RecurringCharges(database: h.database, mandates: mandates, logger: Logger(label: "test")) }
            let summaries = try await withThrowingTaskGroup(of: RecurringCharges.Summary.self) { group in
                for instance in instances { group.addTask { try await instance.runOnce() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(summaries.map(\.charged).reduce(0, +) == 1 && summaries.map(\.opened).reduce(0, +) == 1)
            #expect(try await h.payments().count == 1)
            #expect(try await h.intents.intents(loanID: h.loanID, lenderID: h.fixture.lenderID).count == 1)
        }
    }
}
