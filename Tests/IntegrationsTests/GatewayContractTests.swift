import CarteraCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOHTTP1
import Payments
import Sandbox
import Testing

/// One connector and its sandbox, as the shared contract suite drives them.
struct ContractSubject: Sendable, CustomStringConvertible {
    let provider: GatewayProvider
    /// The provider's documented test card that pays, and the one declined for insufficient funds.
    let paidToken: String
    let insufficientFundsToken: String
    /// What the sandbox's price list keeps of `amount` paid by `method`.
    let fee: @Sendable (Int64, GatewayMethod.Kind) -> Int64
    /// The sandbox's control path for a payment (`…/{id}` + `/pay|expire|fail`).
    let control: @Sendable (String) -> String
    let make: @Sendable (_ key: String?, ProviderHTTPClient) -> any PaymentGateway
    /// The bank of its SPEI references.
    var speiBank = "STP"
    /// Whether a paid charge takes more than one refund.
    var refundsMany = true
    /// Whether the provider can find a payment by Cartera's intent id (PayPal finds orders by their own id only).
    var findsByIntent = true
    /// A card token as the provider's browser script makes it (`paying` or declined for insufficient funds).
    var token: @Sendable (ProviderHTTPClient, _ paying: Bool) async throws -> String = { _, _ in "" }

    func cardToken(_ http: ProviderHTTPClient, paying: Bool) async throws -> String {
        let made = try await token(http, paying)
        return made.isEmpty ? (paying ? paidToken : insufficientFundsToken) : made
    }

    var description: String { provider.name }

    static let stripe = ContractSubject(
        provider: .stripe, paidToken: "tok_visa", insufficientFundsToken: "tok_chargeDeclinedInsufficientFunds",
        fee: { amount, _ in amount * 36 / 1000 + 300 }, control: { "/_sandbox/payment_intents/\($0)" },
        make: { key, client in StripeGateway(secretKey: key ?? GatewaySandboxes.stripeSecretKey, client: client) }
    )
    static let conekta = ContractSubject(
        provider: .conekta, paidToken: "tok_test_visa_4242", insufficientFundsToken: "tok_test_insufficient_funds",
        fee: { amount, method in
            switch method {
            case .card, .savedCard: amount * 29 / 1000 + 250
            case .cash: amount * 39 / 1000
            case .spei: 1250
            }
        },
        control: { "/_sandbox/orders/\($0)" },
        make: { key, client in ConektaGateway(secretKey: key ?? GatewaySandboxes.conektaSecretKey, client: client) }
    )
    static let openpay = ContractSubject(
        provider: .openpay, paidToken: "4111111111111111", insufficientFundsToken: "4444444444444448",
        fee: { amount, method in
            // Openpay's fee and its 16 % IVA.
            let fee = method == .spei ? 800 : amount * 29 / 1000 + 250
            return fee + fee * 16 / 100
        },
        control: { "/_sandbox/charges/\($0)" },
        make: { key, client in OpenpayGateway(merchantID: GatewaySandboxes.openpayMerchantID, secretKey: key ?? GatewaySandboxes.openpaySecretKey, client: client) },
        speiBank: "BBVA Bancomer", refundsMany: false,
        token: { http, paying in
            // As Openpay.js does in the browser: the card's data go to Openpay, which answers a token.
            let number = paying ? "4111111111111111" : "4444444444444448"
            let body = #"{"card_number":"\#(number)","holder_name":"Ana López","expiration_year":"30","expiration_month":"12","cvv2":"123"}"#
            let response = try await http.send(.init(
                method: .POST, path: "/v1/\(GatewaySandboxes.openpayMerchantID)/tokens",
                headers: [("Authorization", "Basic " + Data("\(GatewaySandboxes.openpaySecretKey):".utf8).base64EncodedString()), ("Content-Type", "application/json")],
                body: Array(body.utf8), idempotent: true
            ))
            return ((try JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["id"] as? String ?? ""
        }
    )
    static let payPal = ContractSubject(
        provider: .paypal, paidToken: "", insufficientFundsToken: "", fee: { amount, _ in amount * 395 / 10_000 + 400 }, control: { "/_sandbox/orders/\($0)" },
        make: { key, client in PayPalGateway(clientID: GatewaySandboxes.payPalClientID, secret: key ?? GatewaySandboxes.payPalSecret, client: client) },
        findsByIntent: false,
        token: { http, paying in
            // As PayPal's card fields do: the card goes to PayPal's vault as a setup token (the name picks a decline).
            let tokens = PayPalAccessTokens(client: http, clientID: GatewaySandboxes.payPalClientID, secret: GatewaySandboxes.payPalSecret)
            let body = #"{"payment_source":{"card":{"number":"4032039317984658","expiry":"2030-12","name":"\#(paying ? "Ana Lopez" : "CCREJECT-IF")"}}}"#
            let response = try await http.send(.init(
                method: .POST, path: "/v3/vault/setup-tokens",
                headers: [("Authorization", "Bearer \(try await tokens.token())"), ("Content-Type", "application/json")], body: Array(body.utf8), idempotent: true
            ))
            return ((try JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["id"] as? String ?? ""
        }
    )
    static let mercadoPago = ContractSubject(
        provider: .mercadopago, paidToken: "APRO", insufficientFundsToken: "FUND", fee: { amount, _ in amount * 349 / 10_000 + 400 },
        control: { "/_sandbox/payments/\($0)" },
        make: { key, client in MercadoPagoGateway(accessToken: key ?? GatewaySandboxes.mercadoPagoAccessToken, client: client) },
        token: { http, paying in
            // As Mercado Pago's script does: the card's data go to Mercado Pago; the cardholder's name picks the test outcome.
            let body = #"{"card_number":"5474925432670366","security_code":"123","expiration_month":11,"expiration_year":2030,"cardholder":{"name":"\#(paying ? "APRO" : "FUND")"}}"#
            let response = try await http.send(.init(
                method: .POST, path: "/v1/card_tokens",
                headers: [("Authorization", "Bearer \(GatewaySandboxes.mercadoPagoAccessToken)"), ("Content-Type", "application/json")], body: Array(body.utf8), idempotent: true
            ))
            return ((try JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["id"] as? String ?? ""
        }
    )
}

/// Every connector against its sandbox, over real HTTP, with the same expectations: what a lender sees in each
/// provider's test mode.
@Suite("Gateway connectors: one contract, every provider's sandbox")
struct GatewayContractTests {
    static let subjects: [ContractSubject] = [.stripe, .conekta, .openpay, .mercadoPago, .payPal]

    static func with(
        _ subject: ContractSubject, key: String? = nil, _ body: @escaping @Sendable (any PaymentGateway, ProviderHTTPClient) async throws -> Void
    ) async throws {
        let router = Router()
        GatewaySandboxes(publicBase: { "http://127.0.0.1" }, webhookBase: nil).add(to: router)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let http = ProviderHTTPClient(
                provider: subject.provider, baseURL: "http://127.0.0.1:\(client.port!)/\(subject.provider.rawValue)",
                policy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(5))
            )
            try await body(subject.make(key, http), http)
        }
    }

    static func request(_ intent: String, _ centavos: Int64, _ method: GatewayMethod) -> GatewayChargeRequest {
        GatewayChargeRequest(
            intentID: intent, amount: .mxn(centavos: centavos), description: "Pago de crédito", payerName: "Ana López", payerEmail: "ana@example.mx", method: method,
            deviceSessionID: "sandbox-device-session", paymentMethodID: "visa"
        )
    }

    static func control(_ subject: ContractSubject, _ http: ProviderHTTPClient, _ id: String, _ action: String) async throws {
        let response = try await http.send(.init(method: .POST, path: subject.control(id) + "/" + action, idempotent: false))
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
    }

    @Test("A test card pays at once with the provider's fee; retrieve and lookup by intent find it", arguments: subjects)
    func cardPays(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let paid = try await gateway.charge(Self.request("pin_card_1", 150_000, .card(token: try await subject.cardToken(http, paying: true))))
            #expect(paid.outcome == .paid(amount: .mxn(centavos: 150_000), fee: .mxn(centavos: subject.fee(150_000, .card))))
            #expect(try await gateway.retrieve(paid.id).outcome == paid.outcome)
            if subject.findsByIntent { #expect(try await gateway.lookup(intentID: "pin_card_1")?.id == paid.id) }
            #expect(try await gateway.lookup(intentID: "pin_never_asked") == nil)
        }
    }

    @Test("A card declined for insufficient funds is a failed charge with that reason, not an error", arguments: subjects)
    func cardDeclined(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let declined = try await gateway.charge(Self.request("pin_card_2", 20_000, .card(token: try await subject.cardToken(http, paying: false))))
            guard case .failed(let code, let message) = declined.outcome else { Issue.record("not declined: \(declined.outcome)"); return }
            #expect(code == "insufficient_funds" && !message.isEmpty)
        }
    }

    @Test("A saved card is charged without the borrower (domiciliación); a declining one fails; a removed one is charged no more", arguments: subjects)
    func savedCard(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let customer = try await gateway.createCustomer(name: "Ana López", email: "ana@example.mx", reference: "cl_saved")
            let card = try await gateway.saveCard(customerID: customer, token: try await subject.cardToken(http, paying: true), deviceSessionID: "sandbox-device-session")
            #expect(!card.id.isEmpty && card.last4.count == 4 && card.last4.allSatisfy(\.isNumber) && !card.brand.isEmpty)
            #expect((card.expiryYear ?? 0) >= 2030 && (1...12).contains(card.expiryMonth ?? 0))
            #expect(card.hasExpired(by: CalendarDate(year: 2026, month: 11, day: 27)!) == false)
            func charge(_ intent: String, _ saved: SavedCard) async throws -> GatewayCharge {
                try await gateway.charge(GatewayChargeRequest(
                    intentID: intent, amount: .mxn(centavos: 123_456), description: "Domiciliación, pago 3", payerName: "Ana López", payerEmail: "ana@example.mx",
                    method: .savedCard(customerID: customer, paymentMethodID: saved.id), paymentMethodID: saved.brand
                ))
            }
            // Twice, as each due date does: a saved card is charged again and again.
            for number in 1...2 {
                let paid = try await charge("pin_saved_\(number)", card)
                #expect(paid.outcome == .paid(amount: .mxn(centavos: 123_456), fee: .mxn(centavos: subject.fee(123_456, .savedCard))))
            }
            let poor = try await gateway.saveCard(customerID: customer, token: try await subject.cardToken(http, paying: false), deviceSessionID: "sandbox-device-session")
            let declined = try await charge("pin_saved_3", poor)
            guard case .failed(let code, _) = declined.outcome else { Issue.record("a saved card without funds was not declined: \(declined.outcome)"); return }
            #expect(code == "insufficient_funds")
            try await gateway.removeCard(customerID: customer, cardID: card.id)
            try await gateway.removeCard(customerID: customer, cardID: card.id)  // already gone: not an error
            do {
                let after = try await charge("pin_saved_4", card)
                if case .paid = after.outcome { Issue.record("a removed card was charged") }
            } catch {
                #expect((error as? GatewayError).map { if case .outcomeUnknown = $0 { false } else { true } } ?? false)
            }
        }
    }

    @Test("A card paid on the provider's own page comes back to Cartera paid with the fee; a declined card is refused on the page", arguments: subjects)
    func hostedCheckout(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            // Back to a page that answers (the sandbox's own list), as Cartera's portal would.
            let back = http.baseURL + "/_sandbox?volver=pin_hosted_1"
            let checkout = try await gateway.checkout(GatewayCheckoutRequest(
                intentID: "pin_hosted_1", amount: .mxn(centavos: 150_000), description: "Crédito C-1, pago 2", payerName: "Ana López", payerEmail: "ana@example.mx",
                returnURL: back, expiresAt: .now.adding(seconds: 3600)
            ))
            // The sandbox's page, under the provider's prefix (the URL names the sandbox's public address).
            let page = try #require(checkout.url.range(of: "/\(subject.provider.rawValue)/_sandbox/checkout/")).lowerBound
            let path = String(checkout.url[page...].dropFirst(subject.provider.rawValue.count + 1))
            let shown = try await http.send(.init(method: .GET, path: path, idempotent: true))
            #expect(shown.status == 200 && String(decoding: shown.body, as: UTF8.self).contains("$1,500.00"))
            func pay(_ card: String) async throws -> ProviderHTTPClient.Response {
                try await http.send(.init(method: .POST, path: path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("tarjeta=\(card)".utf8), idempotent: false))
            }
            let refused = try await pay("fondos")
            #expect(refused.status == 402 && String(decoding: refused.body, as: UTF8.self).contains("Pruebe con otra tarjeta"))
            // The client follows the page's 303 back to the return address.
            let paid = try await pay("paga")
            #expect(paid.status == 200 && String(decoding: paid.body, as: UTF8.self).contains("Sandbox de"))
            let charge: GatewayCharge? =
                if let id = checkout.chargeID { try await gateway.retrieve(id) } else { try await gateway.lookup(intentID: "pin_hosted_1") }
            #expect(charge?.outcome == .paid(amount: .mxn(centavos: 150_000), fee: .mxn(centavos: subject.fee(150_000, .card))))
            #expect(charge?.paidAt != nil)
            // The page is closed once paid.
            #expect(try await http.send(.init(method: .GET, path: path, idempotent: true)).status == 404)
        }
    }

    @Test("A card saved on the provider's own page (domiciliación from the portal) comes back as a saved card that charges; a declined card is refused there; providers without such a page say so", arguments: subjects)
    func cardSetupOnPage(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let customer = try await gateway.createCustomer(name: "Ana López", email: "ana@example.mx", reference: "CLI-1")
            let request = GatewayCardSetupRequest(
                setupID: "dse_contract_1", customerID: customer, payerEmail: "ana@example.mx", returnURL: http.baseURL + "/_sandbox?volver=dse_contract_1",
                expiresAt: .now.adding(seconds: 3600)
            )
            guard gateway.savesCardsOnItsPage else {
                await #expect(throws: GatewayError.noCardPage(provider: subject.provider)) { try await gateway.cardSetup(request) }
                await #expect(throws: GatewayError.noCardPage(provider: subject.provider)) { try await gateway.cardSetupState("any") }
                #expect(GatewayError.noCardPage(provider: subject.provider).message.contains("no tiene una página para registrar tarjetas"))
                return
            }
            let setup = try await gateway.cardSetup(request)
            // Asking again with the same setup id opens the same page (idempotent).
            #expect(try await gateway.cardSetup(request) == setup)
            #expect(try await gateway.cardSetupState(setup.id) == .open)
            let page = try #require(setup.url.range(of: "/\(subject.provider.rawValue)/_sandbox/")).lowerBound
            let path = String(setup.url[page...].dropFirst(subject.provider.rawValue.count + 1))
            let shown = try await http.send(.init(method: .GET, path: path, idempotent: true))
            #expect(shown.status == 200 && String(decoding: shown.body, as: UTF8.self).contains("Guardar tarjeta"))
            func save(_ card: String) async throws -> ProviderHTTPClient.Response {
                try await http.send(.init(method: .POST, path: path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("tarjeta=\(card)".utf8), idempotent: false))
            }
            let refused = try await save("rechazada")
            #expect(refused.status == 402)
            #expect(try await gateway.cardSetupState(setup.id) == .open)
            #expect(try await save("paga").status == 200)  // the client follows the 303 back to the return address
            guard case .saved(let card) = try await gateway.cardSetupState(setup.id) else {
                Issue.record("the setup did not save the card")
                return
            }
            #expect(!card.id.isEmpty && card.last4.count == 4 && card.expiryYear.map { $0 > 2026 } == true)
            #expect(try await gateway.cardSetupState(setup.id) == .saved(card))  // asked again: the same card, not a second one
            let charge = try await gateway.charge(Self.request("pin_setup_1", 120_000, .savedCard(customerID: customer, paymentMethodID: card.id)))
            #expect(charge.outcome == .paid(amount: .mxn(centavos: 120_000), fee: .mxn(centavos: subject.fee(120_000, .card))))
            // The page is closed once used.
            #expect(try await http.send(.init(method: .GET, path: path, idempotent: true)).status == 404)
        }
    }

    @Test("Cash gives a reference and a voucher that wait until paid; then it is paid with the fee", arguments: subjects)
    func cashReference(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            guard gateway.methods.contains(.cash) else {
                await #expect(throws: GatewayError.unsupported(provider: subject.provider, method: .cash)) {
                    _ = try await gateway.charge(Self.request("pin_cash_0", 10_000, .cash(expiresAt: .now.adding(seconds: 86_400))))
                }
                return
            }
            let cash = try await gateway.charge(Self.request("pin_cash_1", 96_233, .cash(expiresAt: .now.adding(seconds: 3 * 86_400))))
            #expect(cash.outcome == .pending && (cash.cashReference?.count ?? 0) >= 14 && cash.voucherURL != nil && cash.expiresAt != nil)
            #expect(try await gateway.retrieve(cash.id).outcome == .pending)
            try await Self.control(subject, http, cash.id, "pay")
            #expect(try await gateway.retrieve(cash.id).outcome == .paid(amount: .mxn(centavos: 96_233), fee: .mxn(centavos: subject.fee(96_233, .cash))))
        }
    }

    @Test("SPEI gives a valid STP CLABE; an unpaid reference expires; a failed one fails", arguments: subjects)
    func speiReference(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let customer = try await gateway.createCustomer(name: "Ana López", email: "ana@example.mx", reference: "cl_1")
            guard gateway.methods.contains(.spei) else {
                await #expect(throws: GatewayError.unsupported(provider: subject.provider, method: .spei)) {
                    _ = try await gateway.charge(Self.request("pin_spei_0", 10_000, .spei(customerID: customer, expiresAt: .now.adding(seconds: 86_400))))
                }
                return
            }
            let spei = try await gateway.charge(Self.request("pin_spei_1", 250_000, .spei(customerID: customer, expiresAt: .now.adding(seconds: 86_400))))
            #expect(spei.outcome == .pending && spei.bankName == subject.speiBank)
            #expect(spei.clabe.map { CLABE.validate($0).isValid } == true)
            try await Self.control(subject, http, spei.id, "expire")
            #expect(try await gateway.retrieve(spei.id).outcome == .expired)
            let other = try await gateway.charge(Self.request("pin_spei_2", 10_000, .spei(customerID: customer, expiresAt: .now.adding(seconds: 86_400))))
            try await Self.control(subject, http, other.id, "fail")
            guard case .failed = try await gateway.retrieve(other.id).outcome else { Issue.record("a failed transfer did not fail"); return }
        }
    }

    @Test("Refunds return part, then the rest where the provider allows it; the outcome carries the running total", arguments: subjects)
    func refunds(subject: ContractSubject) async throws {
        try await Self.with(subject) { gateway, http in
            let paid = try await gateway.charge(Self.request("pin_ref_1", 100_000, .card(token: try await subject.cardToken(http, paying: true))))
            #expect(paid.refunded == nil)
            #expect(try await gateway.refund(paid.id, amount: .mxn(centavos: 30_000), idempotencyKey: "rf-1") == .refunded(total: .mxn(centavos: 30_000)))
            // Reading the charge tells what was returned, wherever the refund was asked (Cartera or the provider's dashboard).
            #expect(try await gateway.retrieve(paid.id).refunded == .mxn(centavos: 30_000))
            if subject.refundsMany {
                #expect(try await gateway.refund(paid.id, amount: nil, idempotencyKey: "rf-2") == .refunded(total: .mxn(centavos: 100_000)))
                #expect(try await gateway.retrieve(paid.id).refunded == .mxn(centavos: 100_000))
            }
            await #expect(throws: GatewayError.self) { _ = try await gateway.refund(paid.id, amount: .mxn(centavos: 1), idempotencyKey: "rf-3") }
        }
    }

    @Test("A wrong key is refused with 401 as the provider refuses it", arguments: subjects)
    func wrongKey(subject: ContractSubject) async throws {
        try await Self.with(subject, key: "wrong_key") { gateway, _ in
            do {
                _ = try await gateway.retrieve("pi_or_order_1")
                Issue.record("a wrong key was accepted")
            } catch {
                guard case .refused(_, let status, _, _)? = error as? GatewayError else { Issue.record("\(error)"); return }
                #expect(status == 401)
            }
        }
    }
}
