import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import LoanCollections
import NIOCore
import Store

/// Where SMS and WhatsApp providers report messages and replies: `POST /webhooks/twilio/estado` (status callbacks)
/// and `/webhooks/twilio/entrantes` (replies), checked with `X-Twilio-Signature` against the URL Twilio was given
/// (`CARTERA_PUBLIC_URL` + path); `GET /webhooks/whatsapp` (Meta's subscription check with the verify token) and
/// `POST /webhooks/whatsapp`, checked with `X-Hub-Signature-256` on the raw body. A request that fails its check is
/// refused and audited; nothing in it is read.
struct MessagingWebhookRoutes {
    let outbox: MessageOutbox
    let directory: ClientDirectory
    let settings: MessagingSettings
    /// The address providers reach Cartera at (`https://cartera.financiera.mx`), nil when none is configured.
    let publicBase: @Sendable () -> String?
    let audit: AuditWriter
    let clock: @Sendable () -> Timestamp

    func add(to router: Router<AppRequestContext>) {
        for kind in ["estado", "entrantes"] {
            router.post("/webhooks/twilio/\(kind)") { request, context -> Response in
                let body = try await request.body.collect(upTo: 64 * 1024)
                let form = FormEncoding.decode(String(buffer: body))
                guard let twilio = settings.twilio, let base = publicBase() else {
                    throw APIError(status: .serviceUnavailable, code: "webhook_not_configured", message: "Configure Twilio y CARTERA_PUBLIC_URL para recibir sus avisos.")
                }
                let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!] ?? ""
                guard TwilioSignature.isValid(signature, url: base + "/webhooks/twilio/\(kind)", parameters: form, authTokens: [twilio.authToken]) else {
                    try await reject("twilio", body: Array(body.readableBytesView), context: context)
                }
                try await outbox.apply(MessageStatusReport.twilio(form), channel: .sms, directory: directory)
                return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: "<Response/>")))
            }
        }
        router.get("/webhooks/whatsapp") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let whatsApp = settings.whatsApp, !whatsApp.verifyToken.isEmpty, query["hub.mode"] == "subscribe",
                let token = query["hub.verify_token"].map(String.init), ConstantTime.equals(token, whatsApp.verifyToken), let challenge = query["hub.challenge"]
            else {
                throw APIError(status: .forbidden, code: "webhook_verification_failed", message: "El token de verificación no coincide.")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: String(challenge))))
        }
        router.post("/webhooks/whatsapp") { request, context -> Response in
            let body = Array(try await request.body.collect(upTo: 512 * 1024).readableBytesView)
            guard let whatsApp = settings.whatsApp else {
                throw APIError(status: .serviceUnavailable, code: "webhook_not_configured", message: "Configure la API de WhatsApp para recibir sus avisos.")
            }
            guard MetaSignature.isValid(request.headers[HTTPField.Name("X-Hub-Signature-256")!], body: body, appSecrets: [whatsApp.appSecret]) else {
                try await reject("whatsapp", body: body, context: context)
            }
            guard let report = MessageStatusReport.whatsApp(body) else {
                throw APIError(status: .badRequest, code: "webhook_malformed", message: "El aviso no es de una cuenta de WhatsApp Business.")
            }
            try await outbox.apply(report, channel: .whatsapp, directory: directory)
            return Response(status: .ok)
        }
    }

    func reject(_ provider: String, body: [UInt8], context: AppRequestContext) async throws -> Never {
        try await audit.append(
            .draft(
                at: clock(), actorKind: .anonymous, actorID: provider, ipAddress: context.remoteAddress, action: "webhook.rejected", objectType: "webhook",
                objectID: "\(provider) webhook_signature_invalid", outcome: .denied, changeDigest: AuditChain.digest(body), requestID: context.requestID
            )
        )
        throw APIError(status: .unauthorized, code: "webhook_signature_invalid", message: "La firma del aviso no coincide.")
    }
}
