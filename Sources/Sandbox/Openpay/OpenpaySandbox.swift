import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Openpay México's API v1, simulated locally under a prefix (`/openpay`): every path under `/v1/{merchant id}`, HTTP
/// Basic with a private key `sk_…` as user, decimal peso amounts, Openpay's error bodies (`category`, `error_code`,
/// `description`, `http_code`). Card tokens (`POST /tokens`, as Openpay.js makes them) with Openpay's test card
/// numbers, customers and saved cards, charges by card, store (Paynet reference and barcode) and bank account (SPEI
/// CLABE), lookup by `order_id`, refunds. Events go to the webhook with the HTTP Basic credentials it was registered
/// with, as Openpay sends them (signed by nothing else).
public struct OpenpaySandbox: Sendable {
    /// The credentials the sandbox's webhook calls carry.
    public struct WebhookEndpoint: Sendable {
        public let url: @Sendable () -> String
        public let user: String
        public let password: String

        public init(url: @escaping @Sendable () -> String, user: String, password: String) {
            self.url = url
            self.user = user
            self.password = password
        }
    }

    let state = OpenpaySandboxState()
    let publicURL: @Sendable () -> String
    let webhook: WebhookEndpoint?
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    let faults: SandboxFaults

    public init(
        publicURL: @escaping @Sendable () -> String, webhook: WebhookEndpoint? = nil, http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now },
        faults: SandboxFaults = SandboxFaults()
    ) {
        self.faults = faults
        self.publicURL = publicURL
        self.webhook = webhook
        self.http = http
        self.clock = clock
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/openpay") {
        let group = router.group(RouterPath(prefix))
        let api = group.group("/v1/:merchant")
        api.post("/tokens") { request, _ in try await self.handle(request) { await self.state.createToken($0) } }
        api.post("/customers") { request, _ in try await self.handle(request) { await self.state.createCustomer($0, now: self.clock()) } }
        api.post("/customers/:customer/cards") { request, context in
            let customer = context.parameters.get("customer") ?? ""
            return try await self.handle(request) { await self.state.saveCard(customer: customer, $0) }
        }
        api.delete("/customers/:customer/cards/:card") { request, context in
            let customer = context.parameters.get("customer") ?? ""
            let card = context.parameters.get("card") ?? ""
            return try await self.handle(request, reads: true) { _ in await self.state.deleteCard(customer: customer, card: card) }
        }
        api.post("/charges") { request, _ in
            try await self.handle(request) { await self.state.createCharge($0, customer: nil, now: self.clock(), voucherBase: self.publicURL()) }
        }
        api.post("/customers/:customer/charges") { request, context in
            let customer = context.parameters.get("customer")
            return try await self.handle(request) { await self.state.createCharge($0, customer: customer, now: self.clock(), voucherBase: self.publicURL()) }
        }
        api.get("/charges") { request, _ in
            let orderID = request.uri.queryParameters["order_id"].map(String.init)
            return try await self.handle(request, reads: true) { _ in await self.state.list(orderID: orderID) }
        }
        api.get("/charges/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, reads: true) { _ in await self.state.charge(id) }
        }
        api.post("/charges/:id/refund") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request) { await self.state.refund(id, $0, now: self.clock()) }
        }
        SandboxCheckoutPage.add(
            to: group, path: "/_sandbox/checkout", provider: "Openpay", publicURL: publicURL, find: { await self.state.awaitingCard($0) },
            pay: { await self.state.payOnPage($0, card: $1, now: self.clock()) }, delivered: { await self.deliverEvents() }
        )
        SandboxPage.addControls(
            to: group, title: "Sandbox de Openpay", resource: "charges", publicURL: publicURL,
            control: { id, action in
                let answer = await self.state.control(id, action, now: self.clock())
                await self.deliverEvents()
                return answer
            },
            summaries: { await self.state.summaries() }, findVoucher: { await self.state.voucher($0) }, json: { $0.response(requestID: "sandbox", header: "X-Request-Id") }
        )
    }

    /// Authentication (Basic, `sk_…` as user) and the body around one API call; the events it recorded are then sent.
    func handle(_ request: Request, reads: Bool = false, _ body: @Sendable (Data) async -> SandboxAnswer) async throws -> Response {
        if let trouble = await faults.intercept() { return trouble }
        let credentials = request.headers[.authorization].flatMap { header -> String? in
            guard header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
        guard let credentials, credentials.hasPrefix("sk_") else {
            return OpenpaySandboxState.error(401, code: 1002, "The api key or merchant id are invalid").response(requestID: "sandbox", header: "X-Request-Id")
        }
        let json = reads ? Data() : Data(try await request.body.collect(upTo: 256 * 1024).readableBytesView)
        guard json.isEmpty || (try? JSONSerialization.jsonObject(with: json)) is [String: Any] else {
            return OpenpaySandboxState.error(400, code: 1001, "The request body is not valid JSON").response(requestID: "sandbox", header: "X-Request-Id")
        }
        let answer = await body(json)
        await deliverEvents()
        return answer.response(requestID: UUID().uuidString.lowercased(), header: "X-Request-Id")
    }

    func deliverEvents() async {
        let events = await state.takeEvents()
        guard let webhook, !events.isEmpty else { return }
        let credentials = Data("\(webhook.user):\(webhook.password)".utf8).base64EncodedString()
        for event in events {
            guard let body = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]) else { continue }
            SandboxDelivery.send(Array(body), to: webhook.url(), headers: [("Authorization", "Basic \(credentials)")], http: http)
        }
    }
}
