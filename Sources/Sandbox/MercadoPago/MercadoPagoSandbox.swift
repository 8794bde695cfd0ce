import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOCore

/// Mercado Pago's Payments API (site MLM), simulated locally under a prefix (`/mercadopago`): `Authorization: Bearer`
/// with a test access token (`TEST-…`), `X-Idempotency-Key` required on payments and refunds, decimal peso amounts,
/// Mercado Pago's error bodies (`message`, `error`, `status`, `cause`). Card tokens (`POST /v1/card_tokens`, as the
/// browser script makes them) whose cardholder name decides the outcome as Mercado Pago's test cards do (APRO, FUND,
/// CONT, …), customers, payments by card, OXXO ticket and SPEI (`clabe`), search by `external_reference`, refunds.
/// Notifications go to `<webhook>?data.id=…&type=payment` signed in `x-signature` as Mercado Pago signs them.
public struct MercadoPagoSandbox: Sendable {
    let state = MercadoPagoSandboxState()
    let publicURL: @Sendable () -> String
    let webhookURL: (@Sendable () -> String)?
    let webhookSecret: String
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    let faults: SandboxFaults

    public init(
        publicURL: @escaping @Sendable () -> String, webhookURL: (@Sendable () -> String)? = nil, webhookSecret: String, http: HTTPClient = .shared,
        clock: @escaping @Sendable () -> Timestamp = { .now }, faults: SandboxFaults = SandboxFaults()
    ) {
        self.faults = faults
        self.publicURL = publicURL
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.http = http
        self.clock = clock
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/mercadopago") {
        let group = router.group(RouterPath(prefix))
        group.post("/v1/card_tokens") { request, _ in try await self.handle(request) { state, json in state.createToken(json) } }
        group.post("/v1/customers") { request, _ in try await self.handle(request) { state, json in state.createCustomer(json) } }
        group.post("/v1/customers/:id/cards") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request) { state, json in state.saveCard(customer: id, json) }
        }
        group.delete("/v1/customers/:id/cards/:card") { request, context in
            let (id, card) = (context.parameters.get("id") ?? "", context.parameters.get("card") ?? "")
            return try await self.handle(request, reads: true) { state, _ in state.deleteCard(customer: id, card: card) }
        }
        group.post("/checkout/preferences") { request, _ in
            let base = self.publicURL()
            return try await self.handle(request, idempotent: true) { state, json in state.createPreference(json, pageBase: base) }
        }
        SandboxCheckoutPage.add(
            to: group, path: "/_sandbox/checkout", provider: "Mercado Pago", publicURL: publicURL, find: { await self.state.openPreference($0) },
            pay: { id, card in
                let (now, base) = (self.clock(), self.publicURL())
                return await self.state.payPreference(id, card: card, now: now, ticketBase: base)
            },
            delivered: { await self.deliverEvents() }
        )
        group.post("/v1/payments") { request, _ in
            let (now, base) = (self.clock(), self.publicURL())
            return try await self.handle(request, idempotent: true) { state, json in state.createPayment(json, now: now, ticketBase: base) }
        }
        group.get("/v1/payments/search") { request, _ in
            let (reference, base) = (request.uri.queryParameters["external_reference"].map(String.init), self.publicURL())
            return try await self.handle(request, reads: true) { state, _ in state.search(externalReference: reference, ticketBase: base) }
        }
        group.get("/v1/payments/:id") { request, context in
            let (id, base) = (context.parameters.get("id") ?? "", self.publicURL())
            return try await self.handle(request, reads: true) { state, _ in state.payment(id, ticketBase: base) }
        }
        group.post("/v1/payments/:id/refunds") { request, context in
            let (id, now) = (context.parameters.get("id") ?? "", self.clock())
            return try await self.handle(request, idempotent: true) { state, json in state.refund(id, json, now: now) }
        }
        SandboxPage.addControls(
            to: group, title: "Sandbox de Mercado Pago", resource: "payments", publicURL: publicURL,
            control: { id, action in
                let answer = await self.state.control(id, action, now: self.clock(), ticketBase: self.publicURL())
                await self.deliverEvents()
                return answer
            },
            summaries: { await self.state.summaries() }, findVoucher: { await self.state.voucher($0) }, json: { $0.response(requestID: "sandbox", header: "X-Request-Id") }
        )
    }

    /// Authentication, idempotency keys and the body around one API call; notifications are then sent.
    func handle(
        _ request: Request, reads: Bool = false, idempotent: Bool = false, _ call: @escaping @Sendable (isolated MercadoPagoSandboxState, Data) -> SandboxAnswer
    ) async throws -> Response {
        if let trouble = await faults.intercept() { return trouble }
        let requestID = UUID().uuidString.lowercased()
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer TEST-") else {
            return MercadoPagoSandboxState.error(401, "unauthorized", "invalid access token").response(requestID: requestID, header: "X-Request-Id")
        }
        let json = reads ? Data() : Data(try await request.body.collect(upTo: 256 * 1024).readableBytesView)
        guard json.isEmpty || (try? JSONSerialization.jsonObject(with: json)) is [String: Any] else {
            return MercadoPagoSandboxState.error(400, "bad_request", "The body is not valid JSON").response(requestID: requestID, header: "X-Request-Id")
        }
        var key: String?
        if idempotent {
            guard let given = request.headers[HTTPField.Name("X-Idempotency-Key")!], !given.isEmpty, given.count <= 64 else {
                return MercadoPagoSandboxState.error(400, "bad_request", "Header X-Idempotency-Key can't be null (1 to 64 characters)")
                    .response(requestID: requestID, header: "X-Request-Id")
            }
            key = given
        }
        let answer = await state.run(key: key, body: json, call)
        await deliverEvents()
        return answer.response(requestID: requestID, header: "X-Request-Id")
    }

    func deliverEvents() async {
        let events = await state.takeEvents()
        guard let webhookURL, !events.isEmpty else { return }
        for event in events {
            let requestID = UUID().uuidString.lowercased()
            let now = clock()
            let notification: [String: Any] = [
                "id": Int64.random(in: 10_000_000_000...99_999_999_999), "live_mode": false, "type": "payment", "action": event.action, "api_version": "v1",
                "date_created": MercadoPagoSandboxState.date(now), "user_id": "123456789", "data": ["id": String(event.id)],
            ]
            guard let body = try? JSONSerialization.data(withJSONObject: notification, options: [.sortedKeys]) else { continue }
            let signature = MercadoPagoWebhookVerifier.signatureHeader(dataID: String(event.id), requestID: requestID, ts: now.millisecondsSince1970 / 1000, secret: webhookSecret)
            SandboxDelivery.send(
                Array(body), to: webhookURL() + "?data.id=\(event.id)&type=payment", headers: [("x-signature", signature), ("x-request-id", requestID)], http: http
            )
        }
    }
}
