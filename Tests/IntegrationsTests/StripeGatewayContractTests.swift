import CarteraCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOHTTP1
import Payments
import Sandbox
import Testing

/// Cartera's Stripe connector against the Stripe sandbox, over real HTTP: what a lender sees with Stripe's test mode.
@Suite("Stripe connector against the Stripe sandbox")
struct StripeGatewayContractTests {
    static func withStripe(key: String = "sk_test_cartera", _ body: @escaping @Sendable (StripeGateway, ProviderHTTPClient, Int) async throws -> Void) async throws {
        let router = Router()
        StripeSandbox(publicURL: "http://127.0.0.1").add(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = client.port!
            let http = ProviderHTTPClient(provider: .stripe, baseURL: "http://127.0.0.1:\(port)/stripe", policy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(5)))
            try await body(StripeGateway(secretKey: key, client: http), http, port)
        }
    }

    static func request(_ intent: String, _ centavos: Int64, _ method: GatewayMethod) -> GatewayChargeRequest {
        GatewayChargeRequest(intentID: intent, amount: .mxn(centavos: centavos), description: "Pago de crédito", payerName: "Ana López", payerEmail: "ana@example.mx", method: method)
    }

    /// The sandbox's own control, as a person would use it: the voucher or transfer is paid, or expires.
    static func settle(_ http: ProviderHTTPClient, _ id: String, _ action: String) async throws {
        _ = try await http.send(.init(method: .POST, path: "/_sandbox/payment_intents/\(id)/\(action)", idempotent: false))
    }

    @Test func cardsSucceedOrAreDeclinedAsStripesTestCards() async throws {
        try await Self.withStripe { stripe, _, _ in
            let paid = try await stripe.charge(Self.request("pi-local-1", 150_000, .card(token: "tok_visa")))
            // Stripe México's card price in the sandbox: 3.6 % + 3.00 → 57.00 on 1,500.00.
            #expect(paid.outcome == .paid(amount: .mxn(centavos: 150_000), fee: .mxn(centavos: 5_700)))
            #expect(try await stripe.retrieve(paid.id).outcome == paid.outcome)
            let declined = try await stripe.charge(Self.request("pi-local-2", 150_000, .card(token: "pm_card_chargeDeclined")))
            #expect(declined.outcome == .failed(code: "generic_decline", message: "Your card was declined."))
            let poor = try await stripe.charge(Self.request("pi-local-3", 150_000, .card(token: "tok_chargeDeclinedInsufficientFunds")))
            #expect(poor.outcome == .failed(code: "insufficient_funds", message: "Your card has insufficient funds."))
            // The same intent asked twice (a retry) is the same payment: Stripe's idempotency key.
            #expect(try await stripe.charge(Self.request("pi-local-1", 150_000, .card(token: "tok_visa"))).id == paid.id)
        }
    }

    @Test func anOXXOVoucherWaitsToBePaidAndASPEITransferCanExpire() async throws {
        try await Self.withStripe { stripe, http, _ in
            let cash = try await stripe.charge(Self.request("pi-local-4", 96_233, .cash(expiresAt: .now.adding(seconds: 3 * 86_400))))
            #expect(cash.outcome == .pending)
            #expect(cash.cashReference?.count == 14 && cash.cashReference?.allSatisfy(\.isNumber) == true)
            #expect(cash.voucherURL?.contains(cash.id) == true && cash.expiresAt != nil)
            try await Self.settle(http, cash.id, "pay")
            #expect(try await stripe.retrieve(cash.id).outcome == .paid(amount: .mxn(centavos: 96_233), fee: .mxn(centavos: 96_233 * 36 / 1000 + 300)))

            let customer = try await stripe.createCustomer(name: "Ana López", email: "ana@example.mx", reference: "cl_1")
            #expect(customer.hasPrefix("cus_"))
            let spei = try await stripe.charge(Self.request("pi-local-5", 250_000, .spei(customerID: customer, expiresAt: .now.adding(seconds: 86_400))))
            #expect(spei.outcome == .pending && spei.bankName == "STP")
            #expect(spei.clabe.map { $0.count == 18 && $0.hasPrefix("646180") } == true)
            try await Self.settle(http, spei.id, "expire")
            #expect(try await stripe.retrieve(spei.id).outcome == .expired)
        }
    }

    @Test func refundsReportTheRunningTotalAndAreRefusedBeyondIt() async throws {
        try await Self.withStripe { stripe, _, _ in
            let paid = try await stripe.charge(Self.request("pi-local-6", 150_000, .card(token: "pm_card_visa")))
            #expect(try await stripe.refund(paid.id, amount: .mxn(centavos: 50_000), idempotencyKey: "rf-1") == .refunded(total: .mxn(centavos: 50_000)))
            #expect(try await stripe.refund(paid.id, amount: .mxn(centavos: 50_000), idempotencyKey: "rf-1") == .refunded(total: .mxn(centavos: 50_000)))  // replayed, not repeated
            #expect(try await stripe.refund(paid.id, amount: nil, idempotencyKey: "rf-2") == .refunded(total: .mxn(centavos: 150_000)))
            let refused = await #expect(throws: GatewayError.self) { try await stripe.refund(paid.id, amount: nil, idempotencyKey: "rf-3") }
            if case .refused(_, 400, "charge_already_refunded", _)? = refused {} else { Issue.record("expected charge_already_refunded, got \(String(describing: refused))") }
            // Followed by the payment intent itself, as the webhook and the janitor would see it.
            var intent = PaymentIntent(id: "pi-local-6", amount: .mxn(centavos: 150_000))
            #expect(try intent.apply(try await stripe.retrieve(paid.id).outcome, at: .now) == .postPayment(amount: .mxn(centavos: 150_000), fee: .mxn(centavos: 5_700)))
            #expect(try intent.apply(.refunded(total: .mxn(centavos: 150_000)), at: .now) == .postRefund(amount: .mxn(centavos: 150_000)))
        }
    }

    @Test func requestsStripeRefusesAreClearErrors() async throws {
        try await Self.withStripe(key: "sk_live_wrong") { stripe, _, _ in
            let error = await #expect(throws: GatewayError.self) { try await stripe.charge(Self.request("pi-local-7", 150_000, .card(token: "tok_visa"))) }
            #expect(error?.code == "gateway_refused")
            guard case .refused(_, let status, _, _)? = error else { Issue.record("not a refusal"); return }
            #expect(status == 401)
        }
        try await Self.withStripe { stripe, _, _ in
            let error = await #expect(throws: GatewayError.self) { try await stripe.charge(Self.request("pi-local-8", 500, .card(token: "tok_visa"))) }
            guard case .refused(_, 400, "amount_too_small", _)? = error else { Issue.record("expected amount_too_small, got \(String(describing: error))"); return }
        }
    }
}
