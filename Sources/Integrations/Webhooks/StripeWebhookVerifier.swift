import CarteraCore
import CarteraSecurity

/// Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 of `"<t>.<raw body>"`
/// under the endpoint's signing secret (`whsec_…`); any `v1` may match (Stripe sends several while a secret rolls),
/// and so may any of the configured secrets. A `t` older than the tolerance (300 s, as Stripe's libraries) is refused.
public struct StripeWebhookVerifier: WebhookVerifier {
    public let provider = GatewayProvider.stripe
    let secrets: [String]
    let toleranceSeconds: Int64

    public init(secrets: [String], toleranceSeconds: Int64 = 300) {
        self.secrets = secrets.filter { !$0.isEmpty }
        self.toleranceSeconds = toleranceSeconds
    }

    /// The `Stripe-Signature` header Stripe sends with `body` signed at `time` under `secret` (used by the sandbox).
    public static func signatureHeader(for body: [UInt8], secret: String, at time: Timestamp) -> String {
        let t = time.millisecondsSince1970 / 1000
        return "t=\(t),v1=\(WebhookSupport.hmacHex(Array("\(t).".utf8) + body, secret: secret))"
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook {
        guard !secrets.isEmpty else { throw WebhookRejection(.notConfigured, "Falta el secreto de firma de los avisos de Stripe (CARTERA_STRIPE_WEBHOOK_SECRET).") }
        guard let header = request.header("Stripe-Signature") else {
            throw WebhookRejection(.missingSignature, "El aviso no trae el encabezado Stripe-Signature.")
        }
        let pairs = WebhookSupport.pairs(header)
        let signatures = pairs.filter { $0.key == "v1" }.map(\.value)
        guard let t = pairs.first(where: { $0.key == "t" })?.value, let signedAt = Int64(t), !signatures.isEmpty else {
            throw WebhookRejection(.missingSignature, "El encabezado Stripe-Signature no trae la hora (t) y una firma v1.")
        }
        let message = Array("\(t).".utf8) + request.body
        let expected = secrets.map { WebhookSupport.hmacHex(message, secret: $0) }
        guard expected.contains(where: { e in signatures.contains { ConstantTime.equals(e, $0) } }) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de Stripe no coincide: revise el secreto de firma o si el aviso se alteró.")
        }
        guard now.millisecondsSince1970 / 1000 - signedAt <= toleranceSeconds else {
            throw WebhookRejection(.staleTimestamp, "El aviso de Stripe se firmó hace más de \(toleranceSeconds) segundos; se rechaza como repetido.")
        }
        let event = try WebhookSupport.object(request.body, provider: provider)
        guard let id = JSONFields.text(event, "id"), let type = JSONFields.text(event, "type") else {
            throw WebhookRejection(.malformed, "El aviso de Stripe no trae id y type.")
        }
        return VerifiedWebhook(provider: provider, eventID: id, type: type, objectID: JSONFields.text(event, "data", "object", "id"), payloadIsSigned: true)
    }
}
