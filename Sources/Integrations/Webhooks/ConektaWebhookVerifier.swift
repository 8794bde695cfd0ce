import CarteraCore
import Crypto
import CryptoExtras
import Foundation

/// Conekta: the `digest` header is the RSA PKCS #1 v1.5 SHA-256 signature of the raw body, in base64, made with the
/// private half of the webhook key (`POST /webhook_keys`); Cartera keeps the public half. A `sha-256=` or `sha256=`
/// prefix, seen in some deliveries, is accepted. Conekta signs no timestamp and retries for days with the same
/// payload, so a repeated delivery is recognised by its event id when it is stored, not refused here.
public struct ConektaWebhookVerifier: WebhookVerifier {
    public let provider = GatewayProvider.conekta
    let keys: [_RSA.Signing.PublicKey]

    /// `publicKeysPEM`: the webhook keys' public halves (several while a key is replaced).
    public init(publicKeysPEM: [String]) throws(WebhookRejection) {
        var keys: [_RSA.Signing.PublicKey] = []
        for pem in publicKeysPEM where !pem.isEmpty {
            do {
                keys.append(try _RSA.Signing.PublicKey(pemRepresentation: pem))
            } catch {
                throw WebhookRejection(.notConfigured, "La llave pública de los avisos de Conekta no es una llave RSA en formato PEM de 2048 bits o más.")
            }
        }
        self.keys = keys
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook {
        guard !keys.isEmpty else {
            throw WebhookRejection(.notConfigured, "Falta la llave pública de los avisos de Conekta (CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY).")
        }
        guard var digest = request.header("digest")?.trimmingCharacters(in: .whitespaces), !digest.isEmpty else {
            throw WebhookRejection(.missingSignature, "El aviso no trae el encabezado digest.")
        }
        for prefix in ["sha-256=", "sha256=", "SHA-256=", "SHA256="] where digest.hasPrefix(prefix) { digest.removeFirst(prefix.count) }
        guard let signature = Data(base64Encoded: digest) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de Conekta no está en base64.")
        }
        let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
        guard keys.contains(where: { $0.isValidSignature(rsa, for: request.body, padding: .insecurePKCS1v1_5) }) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de Conekta no coincide: revise la llave pública o si el aviso se alteró.")
        }
        let event = try WebhookSupport.object(request.body, provider: provider)
        guard let id = JSONFields.text(event, "id"), let type = JSONFields.text(event, "type") else {
            throw WebhookRejection(.malformed, "El aviso de Conekta no trae id y type.")
        }
        return VerifiedWebhook(provider: provider, eventID: id, type: type, objectID: JSONFields.text(event, "data", "object", "id"), payloadIsSigned: true)
    }
}
