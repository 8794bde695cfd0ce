import AsyncHTTPClient
import CarteraCore
import CryptoExtras
import Foundation
import HTTPTypes
import Integrations
import Hummingbird
import NIOCore

/// PayPal's REST APIs, simulated locally under a prefix (`/paypal`): OAuth2 client credentials
/// (`POST /v1/oauth2/token`), vault setup and payment tokens, Orders v2 captured at once with a vault card, capture
/// refunds, `PayPal-Request-Id` replays, PayPal's error bodies (`name`, `message`, `debug_id`, `details[].issue`), and
/// webhook verification by postback (`POST /v1/notifications/verify-webhook-signature`). Cardholder names
/// `CCREJECT-IF`, `CCREJECT-REFUSED` and `CCREJECT-EC` are declined as PayPal's negative testing declines them.
/// Events are signed as PayPal signs them: RSA SHA-256 of `<transmission id>|<time>|<webhook id>|<CRC32 of body>`,
/// with the certificate served at `{prefix}/_sandbox/certs/sandbox.pem`.
public struct PayPalSandbox: Sendable {
    let state = PayPalSandboxState()
    let publicURL: @Sendable () -> String
    let webhookURL: (@Sendable () -> String)?
    let webhookID: String
    let clientID: String
    let secret: String
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    let faults: SandboxFaults

    public init(
        publicURL: @escaping @Sendable () -> String, webhookURL: (@Sendable () -> String)? = nil, webhookID: String, clientID: String, secret: String,
        http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now }, faults: SandboxFaults = SandboxFaults()
    ) {
        self.faults = faults
        self.publicURL = publicURL
        self.webhookURL = webhookURL
        self.webhookID = webhookID
        self.clientID = clientID
        self.secret = secret
        self.http = http
        self.clock = clock
    }

    /// Where the signing certificate is served (PAYPAL-CERT-URL).
    var certificateURL: String { publicURL() + "/_sandbox/certs/sandbox.pem" }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "/paypal") {
        let group = router.group(RouterPath(prefix))
        group.post("/v1/oauth2/token") { request, _ in
            if let trouble = await self.faults.intercept() { return trouble }
            let credentials = request.headers[.authorization].flatMap { header -> String? in
                guard header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) else { return nil }
                return String(decoding: data, as: UTF8.self)
            }
            let form = String(buffer: try await request.body.collect(upTo: 4096))
            guard credentials == "\(self.clientID):\(self.secret)" else {
                return SandboxAnswer(status: 401, object: ["error": "invalid_client", "error_description": "Client Authentication failed"]).response(requestID: "sandbox", header: "Paypal-Debug-Id")
            }
            guard form.contains("grant_type=client_credentials") else {
                return SandboxAnswer(status: 400, object: ["error": "unsupported_grant_type", "error_description": "Grant Type is NULL"]).response(requestID: "sandbox", header: "Paypal-Debug-Id")
            }
            return await self.state.issueToken(now: self.clock()).response(requestID: "sandbox", header: "Paypal-Debug-Id")
        }
        group.post("/v3/vault/setup-tokens") { request, _ in try await self.handle(request) { state, json in state.createSetupToken(json) } }
        group.post("/v3/vault/payment-tokens") { request, _ in try await self.handle(request) { state, json in state.createPaymentToken(json) } }
        group.delete("/v3/vault/payment-tokens/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, reads: true) { state, _ in state.deletePaymentToken(id) }
        }
        group.post("/v2/checkout/orders") { request, _ in
            let now = self.clock()
            let base = self.publicURL()
            return try await self.handle(request) { state, json in state.createOrder(json, now: now, pageBase: base) }
        }
        group.post("/v2/checkout/orders/:id/capture") { request, context in
            let (id, now) = (context.parameters.get("id") ?? "", self.clock())
            return try await self.handle(request) { state, _ in state.capture(id, now: now) }
        }
        SandboxCheckoutPage.add(
            to: group, path: "/_sandbox/checkout", provider: "PayPal", publicURL: publicURL, find: { await self.state.awaitingPayer($0) },
            pay: { await self.state.approve($0, card: $1) }, delivered: { await self.deliverEvents() }
        )
        group.get("/v2/checkout/orders/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.handle(request, reads: true) { state, _ in state.order(id) }
        }
        group.post("/v2/payments/captures/:id/refund") { request, context in
            let (id, now) = (context.parameters.get("id") ?? "", self.clock())
            return try await self.handle(request) { state, json in state.refund(capture: id, json, now: now) }
        }
        group.post("/v1/notifications/verify-webhook-signature") { request, _ in
            let (webhookID, certificateURL) = (self.webhookID, self.certificateURL)
            return try await self.handle(request) { _, json in Self.postback(json, webhookID: webhookID, certificateURL: certificateURL) }
        }
        group.get("/_sandbox/certs/sandbox.pem") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-pem-file"], body: .init(byteBuffer: ByteBuffer(string: SandboxKeys.certificatePEM)))
        }
        group.get("/_sandbox") { _, _ in
            SandboxPage.html(SandboxPage.list("Sandbox de PayPal", await self.state.summaries(), controlPath: self.publicURL() + "/_sandbox/orders"))
        }
    }

    /// The bearer token and `PayPal-Request-Id` around one API call; the webhook events it recorded are then sent.
    func handle(
        _ request: Request, reads: Bool = false, _ call: @escaping @Sendable (isolated PayPalSandboxState, Data) -> SandboxAnswer
    ) async throws -> Response {
        if let trouble = await faults.intercept() { return trouble }
        let debugID = String(UUID().uuidString.prefix(13)).lowercased()
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
            await state.valid(String(authorization.dropFirst(7)), now: clock())
        else {
            return SandboxAnswer(status: 401, object: ["error": "invalid_token", "error_description": "Token signature verification failed"])
                .response(requestID: debugID, header: "Paypal-Debug-Id")
        }
        let json = reads ? Data() : Data(try await request.body.collect(upTo: 256 * 1024).readableBytesView)
        guard json.isEmpty || (try? JSONSerialization.jsonObject(with: json)) is [String: Any] else {
            return PayPalSandboxState.error(400, "INVALID_REQUEST", "The request body is not valid JSON.", issue: "MALFORMED_REQUEST_JSON")
                .response(requestID: debugID, header: "Paypal-Debug-Id")
        }
        let requestID = reads ? nil : request.headers[HTTPField.Name("PayPal-Request-Id")!]
        let answer = await state.run(requestID: requestID, body: json, call)
        await deliverEvents()
        return answer.response(requestID: debugID, header: "Paypal-Debug-Id")
    }

    /// `verify-webhook-signature`: SUCCESS when the transmission was signed by the sandbox's key for this webhook.
    static func postback(_ json: Data, webhookID: String, certificateURL: String) -> SandboxAnswer {
        let body = OpenpaySandboxState.object(json)
        guard let id = body["transmission_id"] as? String, let time = body["transmission_time"] as? String, let signature = body["transmission_sig"] as? String,
            let event = body["webhook_event"], let eventData = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
        else { return PayPalSandboxState.error(400, "INVALID_REQUEST", "transmission_id, transmission_time, transmission_sig and webhook_event are required.") }
        let message = "\(id)|\(time)|\((body["webhook_id"] as? String) ?? "")|\(CRC32.checksum(eventData))"
        let valid = (body["webhook_id"] as? String) == webhookID && (body["cert_url"] as? String) == certificateURL
            && Data(base64Encoded: signature).map {
                SandboxKeys.rsa.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: $0), for: Array(message.utf8), padding: .insecurePKCS1v1_5)
            } == true
        return .ok(["verification_status": valid ? "SUCCESS" : "FAILURE"])
    }

    func deliverEvents() async {
        let events = await state.takeEvents()
        guard let webhookURL, !events.isEmpty else { return }
        for event in events {
            let isOrder = event.type.hasPrefix("CHECKOUT.ORDER.")
            guard let resource = isOrder ? await state.orderResource(event.orderID) : await state.captureResource(event.orderID) else { continue }
            let now = clock()
            let payload: [String: Any] = [
                "id": "WH-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(17).uppercased(), "event_version": "1.0",
                "create_time": now.text, "resource_type": isOrder ? "checkout-order" : "capture", "resource_version": "2.0", "event_type": event.type,
                "summary": "Payment \(event.type.split(separator: ".").last.map(String.init)?.lowercased() ?? "")", "resource": resource,
            ]
            guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { continue }
            let transmission = UUID().uuidString.lowercased()
            let time = String(now.text.prefix(19)) + "Z"
            let message = "\(transmission)|\(time)|\(webhookID)|\(CRC32.checksum(body))"
            guard let signature = try? SandboxKeys.rsa.signature(for: Array(message.utf8), padding: .insecurePKCS1v1_5) else { continue }
            SandboxDelivery.send(
                Array(body), to: webhookURL(),
                headers: [
                    ("PAYPAL-TRANSMISSION-ID", transmission), ("PAYPAL-TRANSMISSION-TIME", time), ("PAYPAL-TRANSMISSION-SIG", signature.rawRepresentation.base64EncodedString()),
                    ("PAYPAL-CERT-URL", certificateURL), ("PAYPAL-AUTH-ALGO", "SHA256withRSA"),
                ],
                http: http
            )
        }
    }
}
