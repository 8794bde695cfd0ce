import AsyncHTTPClient
import CarteraCore
import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Conekta's API v2, simulated locally under a prefix (`/conekta`): JSON bodies, `Authorization: Bearer key_…` (or
/// Basic with the key as user), the paths, objects and error bodies Cartera's connector and Conekta's own client
/// libraries use — customers with saved cards, orders paid by card token, cash (OXXO) or SPEI, retrieval and search,
/// refunds, capture transactions with their fee, and `POST /webhook_keys` with the public half of the key its events
/// are signed with (`digest`: RSA PKCS #1 v1.5 SHA-256 of the body, base64).
///
/// Conekta's documented test tokens behave as in test mode: `tok_test_visa_4242` and the other test cards pay,
/// `tok_test_card_declined` and `tok_test_insufficient_funds` are declined (402). Cash and SPEI orders wait until they
/// are paid, expired or failed through the sandbox's page or `POST {prefix}/_sandbox/orders/{id}/pay|expire|fail`.
public struct ConektaSandbox: Sendable {
    let state = ConektaSandboxState()
    let publicURL: @Sendable () -> String
    let webhookURL: (@Sendable () -> String)?
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    /// The webhook key: Conekta keeps the private half and gives the public one.
    let signingKey: _RSA.Signing.PrivateKey
    let faults: SandboxFaults

    public init(
        publicURL: @escaping @Sendable () -> String, webhookURL: (@Sendable () -> String)? = nil, http: HTTPClient = .shared,
        clock: @escaping @Sendable () -> Timestamp = { .now }, faults: SandboxFaults = SandboxFaults()
    ) {
        self.faults = faults
        self.publicURL = publicURL
        self.webhookURL = webhookURL
        self.http = http
        self.clock = clock
        signingKey = SandboxKeys.rsa
    }

    /// The public half of the webhook key, in PEM (what Cartera is configured with).
    public var webhookPublicKeyPEM: String { signingKey.publicKey.pemRepresentation }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/conekta") {
        let group = router.group(RouterPath(prefix))
        group.post("/customers") { request, context in
            try await self.handle(request) { body in await self.state.createCustomer(body, now: self.clock()) }
        }
        group.post("/customers/:id/payment_sources") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request) { body in await self.state.addPaymentSource(customer: id, body, now: self.clock()) }
        }
        group.delete("/customers/:id/payment_sources/:source") { request, context in
            let id = context.parameters.get("id") ?? ""
            let source = context.parameters.get("source") ?? ""
            return try await self.handle(request, reads: true) { _ in await self.state.removePaymentSource(customer: id, source: source) }
        }
        SandboxCheckoutPage.add(
            to: group, path: "/_sandbox/checkout", provider: "Conekta", publicURL: publicURL, find: { await self.state.openCheckout($0, now: self.clock()) },
            pay: { await self.state.payCheckout($0, card: $1, now: self.clock()) }, delivered: { await self.deliverEvents() }
        )
        group.post("/orders") { request, context in
            try await self.handle(request) { body in await self.state.createOrder(body, now: self.clock(), voucherBase: self.publicURL()) }
        }
        group.get("/orders") { request, context in
            let search = request.uri.queryParameters["search"].map(String.init)
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 20
            return try await self.handle(request, reads: true) { _ in await self.state.list(search: search, limit: limit) }
        }
        group.get("/orders/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, reads: true) { _ in await self.state.order(id) }
        }
        group.post("/orders/:id/refunds") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request) { body in await self.state.refund(id, body, now: self.clock()) }
        }
        group.get("/transactions") { request, context in
            let charge = request.uri.queryParameters["charge_id"].map(String.init)
            return try await self.handle(request, reads: true) { _ in await self.state.transactions(chargeID: charge) }
        }
        group.post("/webhook_keys") { request, context in
            let now = self.clock()
            let pem = self.webhookPublicKeyPEM
            return try await self.handle(request) { _ in
                .ok(["id": "wk_sandbox", "object": "webhook_key", "active": true, "livemode": false, "created_at": now.millisecondsSince1970 / 1000, "public_key": pem])
            }
        }
        SandboxPage.addControls(
            to: group, title: "Sandbox de Conekta", resource: "orders", publicURL: publicURL,
            control: { id, action in
                let answer = await self.state.control(id, action, now: self.clock())
                await self.deliverEvents()
                return answer
            },
            summaries: { await self.state.summaries() }, findVoucher: { await self.state.voucher($0) }, json: { $0.response(requestID: "sandbox") }
        )
    }

    /// Authentication and JSON decoding around one API call; the events it recorded are then delivered.
    func handle(_ request: Request, reads: Bool = false, _ body: @Sendable (Data) async -> SandboxAnswer) async throws -> Response {
        if let trouble = await faults.intercept() { return trouble }
        let requestID = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard Self.authorized(request.headers[.authorization]) else {
            return ConektaSandboxState.error(
                401, type: "authentication_error", code: "conekta.errors.authentication.missing_key",
                message: "Acceso no autorizado. Use una llave privada de pruebas (key_…)."
            ).response(requestID: requestID, header: "Conekta-Request-Id")
        }
        var json = Data()
        if !reads {
            json = Data(try await request.body.collect(upTo: 256 * 1024).readableBytesView)
            guard json.isEmpty || (try? JSONSerialization.jsonObject(with: json)) is [String: Any] else {
                return ConektaSandboxState.error(400, type: "parameter_validation_error", code: "conekta.errors.parameter_validation.json", message: "El cuerpo no es JSON válido.")
                    .response(requestID: requestID, header: "Conekta-Request-Id")
            }
        }
        let answer = await body(json)
        await deliverEvents()
        return answer.response(requestID: requestID, header: "Conekta-Request-Id")
    }

    /// `Bearer key_…`, or Basic with `key_…` as the user and no password.
    static func authorized(_ header: String?) -> Bool {
        guard let header else { return false }
        if header.hasPrefix("Bearer ") { return header.dropFirst(7).hasPrefix("key_") }
        if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) {
            return String(decoding: data, as: UTF8.self).hasPrefix("key_")
        }
        return false
    }

    /// Sends the recorded events, each signed in `digest` with the webhook key.
    func deliverEvents() async {
        let events = await state.takeEvents()
        guard let webhookURL, !events.isEmpty else { return }
        for event in events {
            guard let body = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]),
                let signature = try? signingKey.signature(for: body, padding: .insecurePKCS1v1_5)
            else { continue }
            SandboxDelivery.send(Array(body), to: webhookURL(), headers: [("digest", signature.rawRepresentation.base64EncodedString())], http: http)
        }
    }
}
