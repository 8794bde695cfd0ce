@testable import App
import AsyncHTTPClient
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Integrations
import Lending
import Logging
import NIOHTTP1
import Payments
import Sandbox
import SQLKit
import Store
import Testing

/// Cartera's gateway payments against the Stripe sandbox: intents, their posting, webhooks through the outbox,
/// refunds and the janitor.
struct GatewayHarness: Sendable {
    let database: Database
    let book: LoanBook
    let intents: PaymentIntentBook
    let outbox: GatewayOutbox
    let inbox: GatewayInbox
    let fixture: LoanFixture
    let loanID: String
    let sandboxURL: String
    let faults: SandboxFaults
    let clock: TestClock
    static let secret = "whsec_intent_tests_91c3"
    static let actor = Administration.Actor(kind: .apiClient, id: "test-client")

    /// A fresh database with a disbursed 10,000.00 loan (three months, disbursed 40 days ago) and a live Stripe
    /// sandbox the connector talks to over HTTP.
    static func run(on engine: TestEngine, _ body: @escaping @Sendable (GatewayHarness) async throws -> Void) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let fixture = try await LoanFixture.make(database)
            let clock = TestClock()
            let book = LoanBook(database: database, clock: { clock.read() })
            let applied = try await database.transaction { db in
                try await book.apply(.init(clientId: fixture.clientID, productCode: "MENSUAL", amount: "10000.00", term: 3), lenderID: fixture.lenderID, actor: .commandLine, on: db)
            }
            _ = try await book.decide(applied.id, approve: true, note: nil, lenderID: fixture.lenderID, actor: .commandLine)
            _ = try await book.disburse(applied.id, on: book.today().adding(days: -40), channel: .spei, reference: "D-1", lenderID: fixture.lenderID, actor: .commandLine)
            let router = Router()
            let sandboxes = GatewaySandboxes(publicBase: { "http://127.0.0.1" }, webhookBase: nil)
            sandboxes.add(to: router)
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { sandbox in
                let url = "http://127.0.0.1:\(sandbox.port!)/stripe"
                let stripe = StripeGateway(
                    secretKey: "sk_test_cartera",
                    client: ProviderHTTPClient(
                        provider: .stripe, baseURL: url, policy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(5)),
                        breaker: CircuitBreaker(failureThreshold: 4, openForSeconds: 30, clock: { clock.read() }), timeout: .seconds(1)
                    ),
                    clock: { clock.read() }
                )
                let intents = PaymentIntentBook(
                    database: database, book: book, directory: ClientDirectory(database: database, keys: TestKeys.live), connectors: GatewayConnectors([stripe]),
                    clock: { clock.read() }
                )
                let outbox = GatewayOutbox(database: database, intents: intents, logger: Logger(label: "test"), clock: { clock.read() })
                let inbox = GatewayInbox(
                    database: database, audit: AuditWriter(database: database), verifiers: WebhookVerifiers([.stripe: StripeWebhookVerifier(secrets: [secret])]), clock: { clock.read() }
                )
                try await body(GatewayHarness(
                    database: database, book: book, intents: intents, outbox: outbox, inbox: inbox, fixture: fixture, loanID: applied.id, sandboxURL: url,
                    faults: sandboxes.faults, clock: clock
                ))
            }
        }
    }

    func create(_ request: PaymentIntentBook.Request) async throws -> PaymentIntentRecord {
        try await intents.create(loanID: loanID, request, lenderID: fixture.lenderID, actor: Self.actor)
    }

    /// Delivers a Stripe event as Stripe signs it.
    func deliver(_ event: String) async throws -> GatewayInbox.Receipt {
        let body = Array(event.utf8)
        return try await inbox.receive(
            .stripe, WebhookRequest(headers: ["stripe-signature": StripeWebhookVerifier.signatureHeader(for: body, secret: Self.secret, at: clock.read()), "content-type": "application/json"], query: [:], body: body),
            ipAddress: "127.0.0.1", requestID: "test"
        )
    }

    /// The sandbox's own control: a cash or SPEI reference is paid (or expired).
    func sandbox(_ action: String, _ chargeID: String) async throws {
        var request = HTTPClientRequest(url: "\(sandboxURL)/_sandbox/payment_intents/\(chargeID)/\(action)")
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        #expect(response.status == .ok)
    }

    /// Posted loan payments (not reversed) and their amounts in centavos.
    func payments() async throws -> [(id: String, amount: Int64, reference: String?)] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT id, amount, reference FROM loan_events WHERE loan_id = \(bind: loanID) AND kind = 'payment' AND reversed_at IS NULL ORDER BY sequence"
            ).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "amount", as: Int64.self), try $0.decode(column: "reference", as: String?.self)) }
        }
    }

    /// The balance of a lender account (debits positive).
    func balance(_ account: LedgerAccount) async throws -> Int64 {
        try await database.withConnection { db in
            try await db.raw("SELECT CAST(COALESCE(SUM(debit - credit), 0) AS BIGINT) AS total FROM journal_lines WHERE account = \(bind: account.rawValue)").first(decodingColumn: "total", as: Int64.self)
        } ?? 0
    }

    func verifyLedger() async throws {
        let report = try await LedgerVerification(database: database, book: book).run()
        #expect(report.ok, "\(report.problems)")
        #expect(report.debits == report.credits)
    }
}

@Suite("Gateway payments: intents, webhooks through the outbox, refunds, janitor")
struct PaymentIntentTests {
    static func succeeded(_ eventID: String, _ chargeID: String, amount: Int64, created: Int64 = Timestamp.now.millisecondsSince1970 / 1000) -> String {
        #"{"id":"\#(eventID)","object":"event","type":"payment_intent.succeeded","created":\#(created),"data":{"object":{"id":"\#(chargeID)","object":"payment_intent","amount":\#(amount),"amount_received":\#(amount),"currency":"mxn","status":"succeeded","metadata":{}}}}"#
    }

    @Test("A card payment is posted once from the gateway's answer, with its fee; the later webhook posts nothing more", arguments: TestEngine.available)
    func cardPayment(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "card", amount: "1500.00", token: "tok_visa"))
            #expect(intent.status == .succeeded && intent.received == "1500.00")
            // Stripe México's price in the sandbox: 3.6 % + 3.00 = 57.00.
            #expect(intent.fee == "57.00")
            let payments = try await h.payments()
            #expect(payments.count == 1 && payments[0].amount == 150_000 && payments[0].reference == intent.id && intent.paymentId == payments[0].id)
            #expect(try await h.balance(.clearingStripe) == 150_000 - 5_700)
            #expect(try await h.balance(.gatewayFees) == 5_700)
            // Stripe's notice of the same payment: processed, nothing posted again.
            #expect(try await h.deliver(Self.succeeded("evt_card_1", intent.providerChargeId!, amount: 150_000)).duplicate == false)
            #expect(try await h.outbox.processPending() == 1)
            #expect(try await h.payments().count == 1)
            let state = try await h.database.withConnection { db in
                try await db.raw("SELECT state, intent_id FROM gateway_events WHERE event_id = 'evt_card_1'").first()
            }
            #expect(try state?.decode(column: "state", as: String.self) == "processed" && state?.decode(column: "intent_id", as: String.self) == intent.id)
            let attempts = try await h.intents.attempts(intent.id)
            #expect(attempts.map(\.kind) == ["charge"] && attempts.map(\.result) == ["ok"])
            try await h.verifyLedger()
        }
    }

    @Test("A card page the borrower never pays waits while it is open, then expires; nothing is posted", arguments: TestEngine.available)
    func checkoutLapses(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let (intent, url) = try await h.intents.checkout(
                loanID: h.loanID, .init(provider: .stripe, method: "card", installment: 1), returnURL: { "https://cartera.example/portal/pagos/\($0)" },
                lenderID: h.fixture.lenderID, actor: GatewayHarness.actor
            )
            #expect(intent.status == .pending && intent.voucherUrl == url && url.contains("/_sandbox/checkout/cs_test_") && intent.providerChargeId == nil)
            #expect(try await h.intents.attempts(intent.id).map(\.kind) == ["checkout"])
            // Past the 30 minutes after which an unrecorded charge fails: the page is still open, the intent waits.
            h.clock.advance(seconds: 40 * 60)
            #expect(try await h.outbox.sweep() == 1)
            #expect(try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID).status == .pending)
            // The page closed an hour after it opened; an hour's grace for a late notice, then it expires.
            h.clock.advance(seconds: 90 * 60)
            _ = try await h.outbox.sweep()
            let lapsed = try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID)
            #expect(lapsed.status == .expired)
            #expect(try await h.payments().isEmpty)
        }
    }

    @Test("Money the provider returned outside Cartera (its dashboard, a chargeback) is learnt from the charge and posted once", arguments: TestEngine.available)
    func refundOutsideCartera(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "card", amount: "1500.00", token: "tok_visa"))
            #expect(intent.status == .succeeded)
            // The provider says 400.00 went back; twice, as a webhook and the janitor might both read it.
            for _ in 0..<2 {
                let carried = try await h.database.transaction(isolation: .readCommitted) { db in
                    try await h.intents.settle(
                        provider: .stripe, chargeID: intent.providerChargeId, intentID: intent.id, outcome: .paid(amount: .mxn(centavos: 150_000), fee: .mxn(centavos: 5_700)),
                        refunded: .mxn(centavos: 40_000), paidAt: nil, source: "test", now: h.clock.read(), on: db
                    ).1
                }
                for entry in carried { h.book.replays.store(entry) }
            }
            let after = try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID)
            #expect(after.status == .partiallyRefunded && after.refunded == "400.00")
            // The payment is reversed and what the borrower kept (1,100.00) posted again.
            #expect(try await h.payments().map(\.amount) == [110_000])
            try await h.verifyLedger()
        }
    }

    @Test("A declined test card leaves a failed intent with the provider's reason and posts nothing", arguments: TestEngine.available)
    func declined(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "card", installment: 1, token: "tok_chargeDeclinedInsufficientFunds"))
            #expect(intent.status == .failed && intent.failureCode == "insufficient_funds")
            #expect(intent.installment == 1 && intent.amount != "0.00")
            #expect(try await h.payments().isEmpty)
            #expect(try await h.intents.attempts(intent.id).map(\.result) == ["declined"])
        }
    }

    @Test("200 concurrent deliveries of an OXXO payment's webhook, processed concurrently, post exactly one payment", arguments: TestEngine.available)
    func concurrentDeliveries(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "cash", amount: "800.00"))
            #expect(intent.status == .pending && intent.cashReference != nil && intent.voucherUrl != nil && intent.expiresAt != nil)
            #expect(try await h.payments().isEmpty)
            try await h.sandbox("pay", intent.providerChargeId!)
            let event = Self.succeeded("evt_oxxo_paid", intent.providerChargeId!, amount: 80_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask { _ = try await h.deliver(event) }
                    if i % 20 == 0 { group.addTask { try await h.outbox.processPending() } }
                }
                try await group.waitForAll()
            }
            try await h.outbox.processPending()
            let payments = try await h.payments()
            #expect(payments.count == 1 && payments.first?.amount == 80_000)
            let record = try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID)
            #expect(record.status == .succeeded && record.paymentId == payments.first?.id)
            let deliveries = try await h.database.withConnection { db in
                try await db.raw("SELECT deliveries, state FROM gateway_events").all().map { (try $0.decode(column: "deliveries", as: Int.self), try $0.decode(column: "state", as: String.self)) }
            }
            #expect(deliveries.count == 1 && deliveries[0].0 == 200 && deliveries[0].1 == "processed")
            try await h.verifyLedger()
        }
    }

    @Test("A batch of paid notices is settled together: each payment once, in order on one loan, with a repeated notice and one for a payment already posted; two outboxes at once", arguments: TestEngine.available)
    func paidNoticesTogether(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            var intents: [PaymentIntentRecord] = []
            for amount in ["100.00", "200.00", "300.00", "400.00", "500.00"] {
                let intent = try await h.create(.init(provider: .stripe, method: "cash", amount: amount))
                try await h.sandbox("pay", intent.providerChargeId!)
                intents.append(intent)
            }
            func notice(_ number: Int, _ intent: PaymentIntentRecord, amount: Int64) -> String {
                Self.paidNotice("evt_batch_\(number)", intent, amount: amount, at: h.clock.read())
            }
            // The first is posted before the batch (by its own notice); the batch repeats it under another event id.
            _ = try await h.deliver(notice(0, intents[0], amount: 10_000))
            try await h.outbox.processPending()
            #expect(try await h.payments().count == 1)
            for (number, intent) in intents.enumerated() { _ = try await h.deliver(notice(number + 1, intent, amount: Int64(number + 1) * 10_000)) }
            _ = try await h.deliver(notice(9, intents[3], amount: 40_000))  // the same payment told twice
            async let first = h.outbox.processPending()
            async let second = h.outbox.processPending()
            _ = try await (first, second)
            try await h.outbox.processPending()
            let payments = try await h.payments()
            #expect(payments.map(\.amount) == [10_000, 20_000, 30_000, 40_000, 50_000])
            #expect(payments.map(\.reference) == intents.map(\.id))
            for (intent, payment) in zip(intents, payments) {
                let record = try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID)
                #expect(record.status == .succeeded && record.paymentId == payment.id && record.received == intent.amount && record.fee == nil)
            }
            let events = try await h.database.withConnection { db in
                try await db.raw("SELECT event_id, state, intent_id FROM gateway_events ORDER BY event_id").all().map {
                    "\(try $0.decode(column: "event_id", as: String.self)) \(try $0.decode(column: "state", as: String.self)) \(try $0.decode(column: "intent_id", as: String?.self) ?? "-")"
                }
            }
            #expect(events == (0...5).map { "evt_batch_\($0) processed \(intents[max(0, $0 - 1)].id)" } + ["evt_batch_9 processed \(intents[3].id)"])
            let audited = try await h.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'payment_intent.succeeded'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 5)
            #expect(try await h.balance(.clearingStripe) == 150_000)
            try await h.verifyLedger()
        }
    }

    /// A signed `payment_intent.succeeded` naming its Cartera intent, as the Stripe connector asks it to be.
    static func paidNotice(_ eventID: String, _ intent: PaymentIntentRecord, amount: Int64, at now: Timestamp) -> String {
        #"{"id":"\#(eventID)","object":"event","type":"payment_intent.succeeded","created":\#(now.millisecondsSince1970 / 1000),"data":{"object":{"id":"\#(intent.providerChargeId!)","object":"payment_intent","amount":\#(amount),"amount_received":\#(amount),"currency":"mxn","status":"succeeded","metadata":{"cartera_intent":"\#(intent.id)"}}}}"#
    }

    /// `count` OXXO intents of 100.00, 200.00 … paid in the sandbox, each announced by its signed notice.
    static func paidAndAnnounced(_ count: Int, _ h: GatewayHarness) async throws -> [PaymentIntentRecord] {
        var intents: [PaymentIntentRecord] = []
        for number in 1...count {
            let intent = try await h.create(.init(provider: .stripe, method: "cash", amount: "\(number * 100).00"))
            try await h.sandbox("pay", intent.providerChargeId!)
            _ = try await h.deliver(paidNotice("evt_\(number)", intent, amount: Int64(number) * 10_000, at: h.clock.read()))
            intents.append(intent)
        }
        return intents
    }

    @Test("The outbox writes one batch while it works out the next after it: seven notices in batches of three post in order", arguments: TestEngine.available)
    func pipelinedBatches(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intents = try await Self.paidAndAnnounced(7, h)
            // A payment at the branch leaves the loan's replay in the cache, so the first batch is worked out ahead and
            // each next one after it, while it is written.
            _ = try await h.book.pay(h.loanID, .init(amount: "30.00", channel: .cash, reference: "CAJA-0"), lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            let written = try await h.outbox.drain(limit: 3)
            #expect(written == [[h.loanID], [h.loanID], [h.loanID]])
            let payments = try await h.payments()
            #expect(payments.map(\.amount) == [3_000] + (1...7).map { Int64($0) * 10_000 })
            #expect(payments.map(\.reference) == ["CAJA-0"] + intents.map(\.id))
            let waiting = try await h.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM gateway_events WHERE state <> 'processed'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(waiting == 0)
            try await h.verifyLedger()
        }
    }

    @Test("Payments worked out after a batch that was never written are worked out again, even when the loan moved as far meanwhile", arguments: TestEngine.available)
    func chainAfterAnUnwrittenBatch(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            _ = try await Self.paidAndAnnounced(2, h)
            // A payment at the branch leaves the loan's replay in the cache, so the notices are worked out ahead.
            _ = try await h.book.pay(h.loanID, .init(amount: "30.00", channel: .cash, reference: "CAJA-0"), lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            let first = try await h.outbox.gather(limit: 1)
            let second = try await h.outbox.gather(limit: 1, excluding: first.keys, after: first.chain)
            #expect(first.ahead.count == 1 && second.ahead.count == 1 && second.chained == [h.loanID])
            #expect(first.ahead[0].job.speculation != nil && second.ahead[0].job.speculation != nil)
            // The first batch is lost (as if its transaction failed); meanwhile a branch payment moves the loan by
            // exactly one payment, as the first batch would have.
            _ = try await h.book.pay(h.loanID, .init(amount: "50.00", channel: .cash, reference: "CAJA-1"), lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            let kept = try await h.outbox.commit(second.holding([]))
            #expect(kept.isEmpty)
            _ = try await h.outbox.processPending()
            #expect(Set(try await h.payments().map(\.amount)) == [3_000, 5_000, 10_000, 20_000])
            try await h.verifyLedger()
        }
    }

    @Test("A partial refund reverses the payment and posts what the borrower kept; a full one leaves nothing", arguments: TestEngine.available)
    func refunds(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "card", amount: "1000.00", token: "pm_card_visa"))
            let fee: Int64 = 100_000 * 36 / 1000 + 300
            await #expect(throws: APIError.self) {
                _ = try await h.intents.refund(intent.id, amount: "1000.01", reason: "Pago duplicado", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            }
            let partial = try await h.intents.refund(intent.id, amount: "300.00", reason: "Cobro en exceso", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            #expect(partial.status == .partiallyRefunded && partial.refunded == "300.00")
            var payments = try await h.payments()
            #expect(payments.map(\.amount) == [70_000] && partial.paymentId == payments[0].id)
            #expect(try await h.balance(.clearingStripe) == 70_000 - fee)
            // Stripe's charge.refunded notice of the same refund changes nothing.
            let refunded = #"{"id":"evt_ref_1","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_x","object":"charge","payment_intent":"\#(intent.providerChargeId!)","amount_refunded":30000,"currency":"mxn"}}}"#
            _ = try await h.deliver(refunded)
            try await h.outbox.processPending()
            #expect(try await h.payments().map(\.amount) == [70_000])
            let full = try await h.intents.refund(intent.id, amount: nil, reason: "Cancelación", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
            #expect(full.status == .refunded && full.refunded == "1000.00" && full.paymentId == nil)
            payments = try await h.payments()
            #expect(payments.isEmpty)
            #expect(try await h.balance(.clearingStripe) == -fee)
            #expect(try await h.intents.attempts(intent.id).map(\.kind).sorted() == ["charge", "refund", "refund"])
            try await h.verifyLedger()
        }
    }

    @Test("The janitor settles a reference paid without a webhook, and expires one whose time ran out", arguments: TestEngine.available)
    func janitor(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let paid = try await h.create(.init(provider: .stripe, method: "cash", amount: "500.00", expiresInDays: 1))
            let lapsing = try await h.create(.init(provider: .stripe, method: "cash", amount: "600.00", expiresInDays: 1))
            try await h.sandbox("pay", paid.providerChargeId!)
            // Too soon: nobody is asked.
            #expect(try await h.outbox.sweep() == 0)
            h.clock.advance(seconds: 121)
            #expect(try await h.outbox.sweep() == 2)
            #expect(try await h.intents.intent(paid.id, lenderID: h.fixture.lenderID).status == .succeeded)
            #expect(try await h.intents.intent(lapsing.id, lenderID: h.fixture.lenderID).status == .pending)
            #expect(try await h.payments().map(\.amount) == [50_000])
            // Asked again only after a longer wait; after the voucher's day and an hour's grace it expires.
            h.clock.advance(seconds: 2 * 86_400)
            #expect(try await h.outbox.sweep() == 1)
            let expired = try await h.intents.intent(lapsing.id, lenderID: h.fixture.lenderID)
            #expect(expired.status == .expired && expired.queries == 2)
            #expect(try await h.payments().count == 1)
        }
    }

    @Test("With the gateway failing or hanging, calls are retried, the breaker opens with a clear message; a payment announced meanwhile is posted from its signed webhook, and its fee once the gateway recovers", arguments: TestEngine.available)
    func breaker(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let pending = try await h.create(.init(provider: .stripe, method: "cash", amount: "300.00"))
            #expect(pending.status == .pending)
            func refusal(_ request: PaymentIntentBook.Request) async -> APIError? {
                do {
                    _ = try await h.create(request)
                    return nil
                } catch {
                    return error as? APIError
                }
            }
            // 500s: both tries are made (the charge carries its idempotency key). A 5xx may come after Stripe acted, so
            // the intent is not failed: it waits, and the janitor asks Stripe (by the intent's id) what became of it.
            h.faults.set(.status(500))
            let doubtful = try await h.create(.init(provider: .stripe, method: "card", amount: "100.00", token: "tok_visa"))
            #expect(doubtful.status == .created)
            #expect(try await h.intents.attempts(doubtful.id).map(\.result) == ["unknown"])
            #expect(h.faults.faulted == 2)
            // Hanging: each try times out (the same doubt); the fourth failure in a row opens the breaker.
            h.faults.set(.hang(seconds: 3))
            #expect(try await h.create(.init(provider: .stripe, method: "card", amount: "100.00", token: "tok_visa")).status == .created)
            #expect(h.faults.faulted == 4)
            // With the breaker open nothing is sent: a clear refusal, and the intent fails (nothing was charged).
            let open = await refusal(.init(provider: .stripe, method: "card", amount: "100.00", token: "tok_visa"))
            #expect(open?.code == "gateway_circuit_open" && open?.message.contains("Intente después o use otro medio de pago") == true)
            #expect(h.faults.faulted == 4)  // the open breaker called nobody
            let intents = try await h.intents.intents(loanID: h.loanID, lenderID: h.fixture.lenderID)
            #expect(intents.filter { $0.status == .failed }.compactMap(\.failureCode) == ["gateway_circuit_open"])
            #expect(intents.filter { $0.status == .created }.count == 2)
            // Meanwhile the OXXO voucher is paid and Stripe says so in a signed webhook: posted at once, without asking
            // Stripe; only the fee, which the webhook does not state, waits.
            try await h.sandbox("pay", pending.providerChargeId!)
            _ = try await h.deliver(Self.succeeded("evt_during_outage", pending.providerChargeId!, amount: 30_000))
            try await h.outbox.processPending()
            #expect(try await h.payments().map(\.amount) == [30_000])
            var paid = try await h.intents.intent(pending.id, lenderID: h.fixture.lenderID)
            #expect(paid.status == .succeeded && paid.fee == nil)
            // The janitor asks Stripe for the fee and about the two charges in doubt: not while it is down (the breaker
            // is still open) …
            h.clock.advance(seconds: 121)
            #expect(try await h.outbox.sweep() == 3)
            #expect(try await h.intents.intent(pending.id, lenderID: h.fixture.lenderID).fee == nil)
            #expect(try await h.balance(.gatewayFees) == 0)
            // … and once it is back, the fee is posted, once; the charges in doubt were never made (Stripe failed them
            // before acting), which Stripe's search shows: after half an hour they fail, nothing charged.
            h.faults.clear()
            h.clock.advance(seconds: 241)
            #expect(try await h.outbox.sweep() == 3)
            paid = try await h.intents.intent(pending.id, lenderID: h.fixture.lenderID)
            #expect(paid.fee == "13.80" && paid.status == .succeeded)
            #expect(try await h.balance(.gatewayFees) == 30_000 * 36 / 1000 + 300)
            h.clock.advance(seconds: 1800)
            #expect(try await h.outbox.sweep() == 2)
            #expect(try await h.intents.intent(doubtful.id, lenderID: h.fixture.lenderID).failureCode == "charge_not_found")
            h.clock.advance(seconds: 3600)
            #expect(try await h.outbox.sweep() == 0)
            #expect(try await h.payments().map(\.amount) == [30_000])
            try await h.verifyLedger()
        }
    }

    @Test("An event whose settling fails waits and, after a few tries, is left for people — without holding up the others", arguments: TestEngine.available)
    func failingEventDoesNotBlock(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let card = try await h.create(.init(provider: .stripe, method: "card", amount: "600.00", token: "tok_visa"))
            let cash = try await h.create(.init(provider: .stripe, method: "cash", amount: "250.00"))
            // Staff cancel the card payment on the loan by hand; then Stripe reports a refund of it: it cannot be
            // undone again, so settling that report fails.
            _ = try await h.book.reverse(h.loanID, payment: card.paymentId!, reason: "Cancelado a mano", lenderID: h.fixture.lenderID, actor: .commandLine)
            _ = try await h.deliver(#"{"id":"evt_refund_after_manual","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","payment_intent":"\#(card.providerChargeId!)","amount_refunded":60000,"currency":"mxn"}}}"#)
            try await h.sandbox("pay", cash.providerChargeId!)
            _ = try await h.deliver(Self.succeeded("evt_cash_paid", cash.providerChargeId!, amount: 25_000))
            try await h.outbox.processPending()
            // The OXXO payment is posted although the other event in its batch failed.
            #expect(try await h.intents.intent(cash.id, lenderID: h.fixture.lenderID).status == .succeeded)
            func state() async throws -> (String, Int, String?) {
                try await h.database.withConnection { db in
                    let row = try await db.raw("SELECT state, attempts, last_error FROM gateway_events WHERE event_id = 'evt_refund_after_manual'").first()!
                    return (try row.decode(column: "state", as: String.self), try row.decode(column: "attempts", as: Int.self), try row.decode(column: "last_error", as: String?.self))
                }
            }
            var (current, attempts, error) = try await state()
            #expect(current == "received" && attempts == 1 && error?.contains("ya estaba cancelado") == true)
            for _ in 1..<GatewayOutbox.failingTries {
                h.clock.advance(seconds: 3600)
                try await h.outbox.processPending()
            }
            (current, attempts, error) = try await state()
            #expect(current == "failed" && attempts == GatewayOutbox.failingTries)
            try await h.verifyLedger()
        }
    }

    @Test("A refund whose answer is lost is not asked again; the gateway's report settles it", arguments: TestEngine.available)
    func refundInDoubt(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let paid = try await h.create(.init(provider: .stripe, method: "card", amount: "800.00", token: "tok_visa"))
            h.faults.set(.status(503))
            func refund() async -> APIError? {
                do {
                    _ = try await h.intents.refund(paid.id, amount: "200.00", reason: "Cobro de más", lenderID: h.fixture.lenderID, actor: GatewayHarness.actor)
                    return nil
                } catch {
                    return error as? APIError
                }
            }
            #expect(await refund()?.code == "refund_in_doubt")
            h.faults.clear()
            // Asking again could return the money twice: refused until the first is settled.
            let again = await refund()
            #expect(again?.code == "refund_in_doubt" && again?.status == .conflict)
            // Stripe reports the refund it did (here: none was made, Stripe failed before acting; a report of 200.00 is
            // what it would send had it made it).
            _ = try await h.deliver(#"{"id":"evt_refund_known","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_2","object":"charge","payment_intent":"\#(paid.providerChargeId!)","amount_refunded":20000,"currency":"mxn"}}}"#)
            try await h.outbox.processPending()
            let settled = try await h.intents.intent(paid.id, lenderID: h.fixture.lenderID)
            #expect(settled.status == .partiallyRefunded && settled.refunded == "200.00")
            #expect(try await h.intents.attempts(paid.id).filter { $0.kind == "refund" }.map(\.result) == ["ok"])
            #expect(try await h.payments().map(\.amount) == [60_000])
            try await h.verifyLedger()
        }
    }

    @Test("A payment is dated the day the borrower paid, as the gateway says, not the day Cartera learns it", arguments: TestEngine.available)
    func valueDateIsThePaymentDay(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let cash = try await h.create(.init(provider: .stripe, method: "cash", amount: "450.00"))
            let paidOn = h.book.today()
            try await h.sandbox("pay", cash.providerChargeId!)
            // The notice is delivered (or processed) three days late.
            h.clock.advance(seconds: 3 * 86_400)
            _ = try await h.deliver(Self.succeeded("evt_late", cash.providerChargeId!, amount: 45_000, created: Timestamp.now.millisecondsSince1970 / 1000))
            try await h.outbox.processPending()
            let dates = try await h.database.withConnection { db in
                try await db.raw("SELECT value_date FROM loan_events WHERE loan_id = \(bind: h.loanID) AND kind = 'payment'").all().map { try $0.decode(column: "value_date", as: String.self) }
            }
            #expect(dates == [paidOn.text] && h.book.today() > paidOn)
            try await h.verifyLedger()
        }
    }

    @Test("An event about a payment Cartera never asked for is kept as unmatched after a few tries; a forged refund is rejected", arguments: TestEngine.available)
    func unmatchedAndInconsistent(engine: TestEngine) async throws {
        try await GatewayHarness.run(on: engine) { h in
            let intent = try await h.create(.init(provider: .stripe, method: "cash", amount: "400.00"))
            // A refund of a payment that never arrived cannot be true.
            let forged = #"{"id":"evt_forged","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_y","object":"charge","payment_intent":"\#(intent.providerChargeId!)","amount_refunded":40000,"currency":"mxn"}}}"#
            _ = try await h.deliver(forged)
            _ = try await h.deliver(#"{"id":"evt_foreign","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_z","object":"charge","payment_intent":"pi_elsewhere","amount_refunded":100,"currency":"mxn"}}}"#)
            _ = try await h.deliver(#"{"id":"evt_other","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#)
            for _ in 0..<GatewayOutbox.failingTries {
                try await h.outbox.processPending()
                h.clock.advance(seconds: 3600)
            }
            let states = try await h.database.withConnection { db in
                try await db.raw("SELECT event_id, state FROM gateway_events ORDER BY event_id").all().map { "\(try $0.decode(column: "event_id", as: String.self)) \(try $0.decode(column: "state", as: String.self))" }
            }
            #expect(states == ["evt_foreign unmatched", "evt_forged rejected", "evt_other ignored"])
            #expect(try await h.intents.intent(intent.id, lenderID: h.fixture.lenderID).status == .pending)
        }
    }
}

@Suite("serve --demo: the gateways' sandboxes in process")
struct DemoSandboxTests {
    struct Intent: Decodable {
        let id: String
        let status: String
        let providerChargeId: String?
        let cashReference: String?
        let paymentId: String?
    }

    struct Detail: Decodable {
        let intent: Intent
    }

    /// `serve --demo` on a fresh database: a disbursed three-month loan and an API token with every loan scope.
    static func withDemo(_ body: @escaping @Sendable (Database, any TestClientProtocol, HTTPFields, String) async throws -> Void) async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let fixture = try await LoanFixture.make(database)
            try await makeApp(database, configure: { $0.demoSandbox = true }).test(.live) { client in
                let headers = try await ClientAPITests().token(client, database, scopes: LoanAPITests.allScopes)
                try await body(database, client, headers, try await LoanAPITests.disbursedLoan(client, headers, clientID: fixture.clientID, term: 3))
            }
        }
    }

    @Test("An OXXO reference asked through the API and paid in the sandbox page is posted by the sandbox's signed webhook", arguments: [
        ("stripe", "/sandbox/stripe/_sandbox/payment_intents"), ("conekta", "/sandbox/conekta/_sandbox/orders"),
        ("openpay", "/sandbox/openpay/_sandbox/charges"), ("mercadopago", "/sandbox/mercadopago/_sandbox/payments"),
    ])
    func endToEnd(provider: String, controlPath: String) async throws {
        try await Self.withDemo { database, client, headers, loanID in
                let created = try await client.execute(
                    uri: "/api/v1/loans/\(loanID)/payment-intents", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"provider":"\#(provider)","method":"cash","amount":"500.00"}"#)
                )
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let intent = try LoanAPITests.decode(Intent.self, created)
                #expect(intent.status == "pending" && (intent.cashReference?.count ?? 0) >= 14)
                let page = try await client.execute(uri: "/sandbox/\(provider)/_sandbox", method: .get)
                #expect(page.status == .ok && String(buffer: page.body).contains(intent.providerChargeId!))
                // The person testing presses «Marcar pagado»: a form post, answered with a redirect to the page.
                let paid = try await client.execute(
                    uri: "\(controlPath)/\(intent.providerChargeId!)/pay", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"]
                )
                #expect(paid.status == .seeOther)
                var status = ""
                var paymentID: String?
                for _ in 0..<100 where status != "succeeded" {
                    try await Task.sleep(for: .milliseconds(50))
                    let detail = try LoanAPITests.decode(Detail.self, try await client.execute(uri: "/api/v1/payment-intents/\(intent.id)", method: .get, headers: headers))
                    (status, paymentID) = (detail.intent.status, detail.intent.paymentId)
                }
                #expect(status == "succeeded" && paymentID != nil)
                let payments = try await client.execute(uri: "/api/v1/loans/\(loanID)/payments", method: .get, headers: headers)
                #expect(String(buffer: payments.body).contains(#""channel":"\#(provider)""#) && String(buffer: payments.body).contains(intent.id))
        }
    }

    @Test("A PayPal card from the vault is charged at once; PayPal's webhook, verified against the sandbox's certificate, posts nothing more")
    func payPalCard() async throws {
        try await Self.withDemo { database, client, headers, loanID in
                // What PayPal's card fields do in the browser: a token from PayPal, then the card to the vault.
                let basic = Data("\(GatewaySandboxes.payPalClientID):\(GatewaySandboxes.payPalSecret)".utf8).base64EncodedString()
                let oauth = try await client.execute(
                    uri: "/sandbox/paypal/v1/oauth2/token", method: .post,
                    headers: [.authorization: "Basic \(basic)", .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "grant_type=client_credentials")
                )
                let access = try JSONSerialization.jsonObject(with: Data(String(buffer: oauth.body).utf8)) as? [String: Any]
                let setup = try await client.execute(
                    uri: "/sandbox/paypal/v3/vault/setup-tokens", method: .post,
                    headers: [.authorization: "Bearer \(access?["access_token"] as? String ?? "")", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"payment_source":{"card":{"number":"4032039317984658","expiry":"2030-12","name":"Ana Lopez"}}}"#)
                )
                let token = (try JSONSerialization.jsonObject(with: Data(String(buffer: setup.body).utf8)) as? [String: Any])?["id"] as? String ?? ""
                let created = try await client.execute(
                    uri: "/api/v1/loans/\(loanID)/payment-intents", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"provider":"paypal","method":"card","amount":"700.00","token":"\#(token)"}"#)
                )
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let intent = try LoanAPITests.decode(Intent.self, created)
                #expect(intent.status == "succeeded" && intent.paymentId != nil)
                let cash = try await client.execute(
                    uri: "/api/v1/loans/\(loanID)/payment-intents", method: .post, headers: headers, body: ByteBuffer(string: #"{"provider":"paypal","method":"cash","amount":"700.00"}"#)
                )
                #expect(cash.status == .unprocessableContent && String(buffer: cash.body).contains("gateway_method_unsupported"))
                var state = ""
                for _ in 0..<100 where state != "processed" {
                    try await Task.sleep(for: .milliseconds(50))
                    state = try await database.withConnection { db in
                        try await db.raw("SELECT state FROM gateway_events WHERE provider = 'paypal' AND type = 'PAYMENT.CAPTURE.COMPLETED'").first(decodingColumn: "state", as: String.self)
                    } ?? ""
                }
                #expect(state == "processed")
                let payments = try await client.execute(uri: "/api/v1/loans/\(loanID)/payments", method: .get, headers: headers)
                #expect(String(buffer: payments.body).components(separatedBy: intent.id).count == 2)
        }
    }
}
