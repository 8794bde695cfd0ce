import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOCore
import NIOHTTP1

/// Stripe's v1 API, simulated locally under a prefix (`/stripe`): the paths, form-encoded requests, JSON objects,
/// status codes and error bodies Cartera's connector (and Stripe's own client libraries) use — customers, payment
/// intents confirmed with a card, a saved card, OXXO or SPEI (customer balance), retrieval, refunds, idempotency keys.
///
/// Stripe's documented test cards behave as in test mode: `pm_card_visa`/`tok_visa` succeed,
/// `pm_card_chargeDeclined`/`tok_chargeDeclined` are declined (`card_declined`, `generic_decline`), and
/// `…InsufficientFunds` are declined for `insufficient_funds`. An OXXO voucher or a SPEI reference stays pending until
/// it is paid or expired through the sandbox's own routes (`POST {prefix}/_sandbox/payment_intents/{id}/pay|expire`).
public struct StripeSandbox: Sendable {
    /// Where the sandbox sends its events, signed as Stripe signs them, with the endpoint's secret.
    public struct WebhookEndpoint: Sendable {
        /// Read at each delivery (Cartera's address may be known only once it listens).
        public let url: @Sendable () -> String
        public let secret: String

        public init(url: String, secret: String) {
            self.init(url: { url }, secret: secret)
        }

        public init(url: @escaping @Sendable () -> String, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    let state: StripeSandboxState
    let clock: @Sendable () -> Timestamp
    /// The sandbox's own URL, prefix included (`http://127.0.0.1:9090/stripe`), for the voucher links it gives.
    let publicURL: @Sendable () -> String
    let webhook: WebhookEndpoint?
    let http: HTTPClient
    let faults: SandboxFaults

    public init(publicURL: String, webhook: WebhookEndpoint? = nil, http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.init(publicURL: { publicURL }, webhook: webhook, http: http, clock: clock)
    }

    public init(
        publicURL: @escaping @Sendable () -> String, webhook: WebhookEndpoint? = nil, http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now },
        faults: SandboxFaults = SandboxFaults()
    ) {
        self.faults = faults
        self.state = StripeSandboxState()
        self.publicURL = publicURL
        self.webhook = webhook
        self.http = http
        self.clock = clock
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/stripe") {
        let group = router.group(RouterPath(prefix))
        group.post("/v1/customers") { request, context in
            try await self.handle(request, context, write: true) { form in await self.state.createCustomer(form) }
        }
        group.post("/v1/payment_methods") { request, context in
            try await self.handle(request, context, write: true) { form in await self.state.createPaymentMethod(form, now: self.clock()) }
        }
        group.post("/v1/payment_methods/:id/attach") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, context, write: true) { form in await self.state.attach(id, form, now: self.clock()) }
        }
        group.post("/v1/payment_methods/:id/detach") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, context, write: true) { _ in await self.state.detach(id) }
        }
        group.post("/v1/checkout/sessions") { request, context in
            try await self.handle(request, context, write: true) { form in await self.state.createCheckoutSession(form, now: self.clock(), pageBase: self.publicURL()) }
        }
        group.get("/v1/checkout/sessions/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, context, write: false) { _ in
                await self.state.checkoutSession(id, pageBase: self.publicURL(), expanding: Self.expansions(request), now: self.clock())
            }
        }
        SandboxCheckoutPage.add(
            to: group, path: "/_sandbox/checkout", provider: "Stripe", publicURL: publicURL, find: { await self.state.openSession($0, now: self.clock()) },
            pay: { await self.state.payCheckout($0, card: $1, now: self.clock(), pageBase: self.publicURL()) }, delivered: { await self.deliverEvents() }
        )
        group.post("/v1/payment_intents") { request, context in
            try await self.handle(request, context, write: true) { form in await self.state.createPaymentIntent(form, now: self.clock(), voucherBase: self.publicURL()) }
        }
        group.get("/v1/payment_intents/search") { request, context in
            let query = Self.decode(request.uri.query ?? "").first { $0.0 == "query" }?.1 ?? ""
            return try await self.handle(request, context, write: false) { _ in await self.state.search(query, expanding: Self.expansions(request)) }
        }
        group.get("/v1/payment_intents/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, context, write: false) { _ in await self.state.paymentIntent(id, expanding: Self.expansions(request)) }
        }
        group.post("/v1/refunds") { request, context in
            try await self.handle(request, context, write: true) { form in await self.state.refund(form, now: self.clock()) }
        }
        SandboxPage.addControls(
            to: group, title: "Sandbox de Stripe", resource: "payment_intents", publicURL: publicURL,
            control: { id, action in
                let answer = await self.state.control(id, action, now: self.clock())
                await self.deliverEvents()
                return answer
            },
            summaries: { await self.state.summaries() }, findVoucher: { await self.state.voucher($0) }, json: Self.json
        )
    }

    /// Authentication, form decoding and idempotency around one API call.
    func handle<Context: RequestContext>(
        _ request: Request, _ context: Context, write: Bool, _ body: @Sendable ([(String, String)]) async -> StripeSandboxState.Answer
    ) async throws -> Response {
        if let trouble = await faults.intercept() { return trouble }
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer sk_test_") else {
            let key = request.headers[.authorization]?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            return Self.json(.stripeError(401, type: "invalid_request_error", code: nil, message: "Invalid API Key provided: \(key.prefix(12))***"))
        }
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let form = Self.decode(text)
        defer { Task { await self.deliverEvents() } }
        guard write, let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return Self.json(await body(form)) }
        // The same key with the same parameters answers what it answered; with other parameters it is refused.
        if let previous = await state.idempotent(key) {
            guard previous.body == text else {
                return Self.json(.stripeError(400, type: "idempotency_error", code: nil,
                                        message: "Keys for idempotent requests can only be used with the same parameters they were first used with."))
            }
            var response = Self.json(previous.answer)
            response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return response
        }
        let answer = await body(form)
        await state.remember(key, body: text, answer: answer)
        return Self.json(answer)
    }

    /// Sends the recorded events to the webhook endpoint, each signed with `Stripe-Signature` (HMAC-SHA256 of
    /// `"<t>.<body>"` under the endpoint secret), in the background; a delivery that fails is retried a few times, as
    /// Stripe retries (with shorter waits).
    func deliverEvents() async {
        let events = await state.takeEvents()
        guard let webhook, !events.isEmpty else { return }
        for event in events {
            guard let body = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]) else { continue }
            let signature = StripeWebhookVerifier.signatureHeader(for: Array(body), secret: webhook.secret, at: clock())
            SandboxDelivery.send(Array(body), to: webhook.url(), headers: [("Stripe-Signature", signature)], http: http)
        }
    }

    static func expansions(_ request: Request) -> Set<String> {
        // Read from the raw query: clients send the brackets percent-encoded (`expand%5B%5D=…`).
        Set(decode(request.uri.query ?? "").filter { $0.0 == "expand[]" }.map(\.1))
    }

    /// Form or query pairs with list items named alike: Stripe's libraries send `expand[0]=…`, `payment_method_types[0]=…`
    /// where others send `expand[]=…`; both mean the same.
    static func decode(_ text: String) -> [(String, String)] {
        FormEncoding.decode(text).map { key, value in (key.replacing(/\[\d+\]/, with: "[]"), value) }
    }

    static func json(_ answer: SandboxAnswer) -> Response { answer.response(requestID: "req_sandbox") }
}
