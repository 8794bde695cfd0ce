import CarteraCore
import CarteraSecurity

/// Mercado Pago: `x-signature: ts=<ts>,v1=<hex>`, the HMAC-SHA256 under the integration's webhook secret of the manifest
/// `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` (parts left out when absent), where `data.id` is the query
/// parameter, lowercased (as Mercado Pago's SDK validator). `ts` in milliseconds or seconds.
///
/// The signature covers the ids, not the body: the body must name the same object, and the object is retrieved from
/// Mercado Pago before anything is posted (`payloadIsSigned` is false).
public struct MercadoPagoWebhookVerifier: WebhookVerifier {
    public let provider = GatewayProvider.mercadopago
    let secret: String
    /// nil: no check of the signed time.
    let toleranceSeconds: Int64?

    public init(secret: String, toleranceSeconds: Int64? = 300) {
        self.secret = secret
        self.toleranceSeconds = toleranceSeconds
    }

    /// The `x-signature` value Mercado Pago sends for a notification about `dataID` (the sandbox signs with it).
    public static func signatureHeader(dataID: String?, requestID: String?, ts: Int64, secret: String) -> String {
        "ts=\(ts),v1=\(WebhookSupport.hmacHex(Array(manifest(dataID: dataID, requestID: requestID, ts: String(ts)).utf8), secret: secret))"
    }

    /// What Mercado Pago signs: `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`, each part only when present.
    static func manifest(dataID: String?, requestID: String?, ts: String) -> String {
        var manifest = ""
        if let dataID, !dataID.isEmpty { manifest += "id:\(dataID.lowercased());" }
        if let requestID, !requestID.isEmpty { manifest += "request-id:\(requestID);" }
        return manifest + "ts:\(ts);"
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook {
        guard !secret.isEmpty else {
            throw WebhookRejection(.notConfigured, "Falta la clave secreta de los avisos de Mercado Pago (CARTERA_MERCADOPAGO_WEBHOOK_SECRET).")
        }
        guard let header = request.header("x-signature") else {
            throw WebhookRejection(.missingSignature, "El aviso no trae el encabezado x-signature.")
        }
        let pairs = WebhookSupport.pairs(header)
        guard let ts = pairs.first(where: { $0.key == "ts" })?.value, let v1 = pairs.first(where: { $0.key == "v1" })?.value,
            let signedAt = WebhookSupport.seconds(ts)
        else {
            throw WebhookRejection(.missingSignature, "El encabezado x-signature no trae ts y v1.")
        }
        let dataID = request.query["data.id"].map { $0.lowercased() }
        let manifest = Self.manifest(dataID: dataID, requestID: request.header("x-request-id"), ts: ts)
        guard ConstantTime.equals(WebhookSupport.hmacHex(Array(manifest.utf8), secret: secret), v1.lowercased()) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de Mercado Pago no coincide: revise la clave secreta o si el aviso se alteró.")
        }
        if let toleranceSeconds, abs(now.millisecondsSince1970 / 1000 - signedAt) > toleranceSeconds {
            throw WebhookRejection(.staleTimestamp, "El aviso de Mercado Pago se firmó fuera de la ventana de \(toleranceSeconds) segundos; se rechaza como repetido.")
        }
        let event = try WebhookSupport.object(request.body, provider: provider)
        let objectID = JSONFields.text(event, "data", "id")
        // The body is not signed: it must at least name the object the signature covers.
        guard let dataID, objectID?.lowercased() == dataID else {
            throw WebhookRejection(.invalidSignature, "El aviso de Mercado Pago no corresponde al objeto firmado (data.id).")
        }
        guard let id = JSONFields.text(event, "id") else { throw WebhookRejection(.malformed, "El aviso de Mercado Pago no trae id.") }
        let type = JSONFields.text(event, "action") ?? JSONFields.text(event, "type") ?? "unknown"
        return VerifiedWebhook(provider: provider, eventID: id, type: type, objectID: objectID, payloadIsSigned: false)
    }
}
