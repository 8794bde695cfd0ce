import AsyncHTTPClient
import CarteraCore
import Crypto
import CryptoExtras
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SwiftASN1
import X509

/// PayPal: each delivery names the certificate it was signed with (`PAYPAL-CERT-URL`) and carries an RSA SHA-256
/// signature (`PAYPAL-TRANSMISSION-SIG`, `PAYPAL-AUTH-ALGO: SHA256withRSA`) of
/// `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body, decimal>`, where the webhook id is the
/// lender's (from PayPal's dashboard). The certificate is fetched once from PayPal (only from the trusted URL prefixes)
/// and kept; a transmission older than the tolerance is refused as a replay.
///
/// A CRC32 is no cryptographic digest, so the body counts as unsigned: the payment is retrieved from PayPal before
/// anything is posted (`payloadIsSigned` is false).
public struct PayPalWebhookVerifier: WebhookVerifier {
    public let provider = GatewayProvider.paypal
    let webhookID: String
    let certificates: PayPalCertificates
    let toleranceSeconds: Int64

    public init(webhookID: String, certificates: PayPalCertificates, toleranceSeconds: Int64 = 300) {
        self.webhookID = webhookID
        self.certificates = certificates
        self.toleranceSeconds = toleranceSeconds
    }

    public func prepare(_ request: WebhookRequest) async throws(WebhookRejection) {
        guard !webhookID.isEmpty, let url = request.header("paypal-cert-url") else { return }
        try await certificates.load(url)
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook {
        guard !webhookID.isEmpty else {
            throw WebhookRejection(.notConfigured, "Falta el id del webhook de PayPal (CARTERA_PAYPAL_WEBHOOK_ID).")
        }
        guard let transmission = request.header("paypal-transmission-id"), let time = request.header("paypal-transmission-time"),
            let signatureText = request.header("paypal-transmission-sig"), let url = request.header("paypal-cert-url")
        else {
            throw WebhookRejection(.missingSignature, "El aviso de PayPal no trae PAYPAL-TRANSMISSION-ID, -TIME, -SIG y PAYPAL-CERT-URL.")
        }
        guard (request.header("paypal-auth-algo") ?? "SHA256withRSA").caseInsensitiveCompare("SHA256withRSA") == .orderedSame else {
            throw WebhookRejection(.invalidSignature, "PayPal firmó con un algoritmo que Cartera no acepta; se espera SHA256withRSA.")
        }
        guard let sent = Timestamp(text: time) ?? Self.isoDate(time) else {
            throw WebhookRejection(.malformed, "PAYPAL-TRANSMISSION-TIME no es una fecha ISO 8601.")
        }
        guard let key = certificates.key(for: url, at: now) else {
            throw WebhookRejection(.invalidSignature, "El certificado de la firma de PayPal no es de PayPal o no está vigente.")
        }
        guard let signature = Data(base64Encoded: signatureText) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de PayPal no está en base64.")
        }
        let message = "\(transmission)|\(time)|\(webhookID)|\(CRC32.checksum(request.body))"
        guard key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: Array(message.utf8), padding: .insecurePKCS1v1_5) else {
            throw WebhookRejection(.invalidSignature, "La firma del aviso de PayPal no coincide: revise el id del webhook o si el aviso se alteró.")
        }
        guard abs(now.millisecondsSince1970 - sent.millisecondsSince1970) <= toleranceSeconds * 1000 else {
            throw WebhookRejection(.staleTimestamp, "El aviso de PayPal se transmitió fuera de la ventana de \(toleranceSeconds) segundos; se rechaza como repetido.")
        }
        let event = try WebhookSupport.object(request.body, provider: provider)
        guard let id = JSONFields.text(event, "id"), let type = JSONFields.text(event, "event_type") else {
            throw WebhookRejection(.malformed, "El aviso de PayPal no trae id y event_type.")
        }
        return VerifiedWebhook(provider: provider, eventID: id, type: type, objectID: JSONFields.text(event, "resource", "id"), payloadIsSigned: false)
    }

    /// `2026-11-27T07:40:00Z` without milliseconds.
    static func isoDate(_ text: String) -> Timestamp? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map(Timestamp.init)
    }
}

/// PayPal's signing certificates, fetched from PayPal once and kept by URL. Only URLs under the trusted prefixes are
/// fetched (PayPal's own hosts; a sandbox's when Cartera runs one).
public final class PayPalCertificates: Sendable {
    /// PayPal's hosts for its webhook certificates.
    public static let paypalPrefixes = ["https://api.paypal.com/", "https://api-m.paypal.com/", "https://api.sandbox.paypal.com/", "https://api-m.sandbox.paypal.com/"]

    let trustedPrefixes: [String]
    let http: HTTPClient
    private let cache = NIOLockedValueBox<[String: Certificate]>([:])

    public init(trustedPrefixes: [String] = paypalPrefixes, http: HTTPClient = .shared) {
        self.trustedPrefixes = trustedPrefixes
        self.http = http
    }

    /// Fetches and keeps the certificate at `url` (once).
    func load(_ url: String) async throws(WebhookRejection) {
        guard trustedPrefixes.contains(where: { url.hasPrefix($0) }) else {
            throw WebhookRejection(.invalidSignature, "PAYPAL-CERT-URL no apunta a PayPal; no se descarga.")
        }
        if cache.withLockedValue({ $0[url] }) != nil { return }
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await http.execute(request, timeout: .seconds(10))
            guard response.status == .ok else { throw WebhookRejection(.notConfigured, "PayPal no entregó su certificado (HTTP \(response.status.code)); se reintentará.") }
            let body = try await response.body.collect(upTo: 64 * 1024)
            let certificate = try Certificate(pemEncoded: String(buffer: body))
            cache.withLockedValue { $0[url] = certificate }
        } catch let rejection as WebhookRejection {
            throw rejection
        } catch {
            throw WebhookRejection(.notConfigured, "No se pudo obtener el certificado de PayPal (\(error)); PayPal reintentará el aviso.")
        }
    }

    /// The RSA key of the certificate at `url`, when it was fetched and is valid at `now`.
    func key(for url: String, at now: Timestamp) -> _RSA.Signing.PublicKey? {
        guard let certificate = cache.withLockedValue({ $0[url] }), certificate.notValidBefore <= now.date, now.date <= certificate.notValidAfter else { return nil }
        return _RSA.Signing.PublicKey(certificate.publicKey)
    }
}
