import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// WhatsApp through Meta's Cloud API: `POST /{version}/{phone-number-id}/messages` with a bearer token and an approved
/// template (`type: template`, `language.code` es_MX, body parameters in order), which is the only kind of message a
/// business may start outside the 24-hour service window. Meta takes no idempotency key, so a try that may have
/// reached it is never repeated (`outcomeUnknown`).
public struct WhatsAppCloudSender: MessageSender {
    public let channel = "whatsapp"
    public let phoneNumberID: String
    let accessToken: String
    public let version: String
    let client: ResilientHTTPClient

    /// Meta's error codes that mean the person cannot or will not receive the business's messages (131050: the user
    /// stopped them; 131026: not deliverable, e.g. not on WhatsApp).
    public static let optedOutCodes: Set<String> = ["131050"]
    /// Meta's throughput and rate limits (130429, 131048 spam rate, 131056 pair rate, 4 and 80007 app/account limits):
    /// nothing was sent, try later.
    public static let rateLimitCodes: Set<String> = ["130429", "131048", "131056", "4", "80007"]

    public init(
        phoneNumberID: String, accessToken: String, version: String = "v23.0", baseURL: @escaping @Sendable () -> String = { "https://graph.facebook.com" },
        http: HTTPClient = .shared
    ) {
        self.phoneNumberID = phoneNumberID
        self.accessToken = accessToken
        self.version = version
        client = ResilientHTTPClient(resolveBaseURL: baseURL, http: http, timeout: .seconds(15))
    }

    /// The request body for `message` (the Cloud API's template message).
    public static func body(_ message: OutgoingMessage, to: String) -> [String: Any] {
        let template = message.whatsAppTemplate!
        return [
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
            "biz_opaque_callback_data": message.id,
            "template": [
                "name": template.name, "language": ["code": template.language],
                "components": [["type": "body", "parameters": template.parameters.map { ["type": "text", "text": $0] }]],
            ] as [String: Any],
        ]
    }

    public func send(_ message: OutgoingMessage) async throws(MessagingError) -> SentMessage {
        guard !phoneNumberID.isEmpty, !accessToken.isEmpty else { throw .notConfigured(provider: "WhatsApp") }
        guard message.whatsAppTemplate != nil else {
            throw .refused(provider: "WhatsApp", providerCode: "template_required", detail: "sólo plantillas aprobadas", optedOut: false)
        }
        guard let to = MobileNumber.whatsApp(message.to) else {
            throw .refused(provider: "WhatsApp", providerCode: "131009", detail: "número no válido", optedOut: false)
        }
        let data = (try? JSONSerialization.data(withJSONObject: Self.body(message, to: to), options: [.sortedKeys])) ?? Data()
        let request = ResilientHTTPClient.Request(
            method: .POST, path: "/\(version)/\(phoneNumberID)/messages",
            headers: [("Authorization", "Bearer \(accessToken)"), ("Content-Type", "application/json")], body: Array(data), idempotent: false
        )
        let response: ResilientHTTPClient.Response
        do { response = try await client.send(request) } catch { throw error.messaging("WhatsApp") }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            if response.status == 401 { throw .notConfigured(provider: "WhatsApp") }
            let code = JSONFields.text(object, "error", "code") ?? "HTTP \(response.status)"
            if Self.rateLimitCodes.contains(code) { throw .unavailable(provider: "WhatsApp", detail: "límite de envío de Meta (\(code))") }
            throw .refused(provider: "WhatsApp", providerCode: code, detail: JSONFields.text(object, "error", "message") ?? "", optedOut: Self.optedOutCodes.contains(code))
        }
        guard let messages = object["messages"] as? [[String: Any]], let id = messages.first?["id"] as? String else {
            throw .outcomeUnknown(provider: "WhatsApp", detail: "respuesta sin id de mensaje")
        }
        return SentMessage(providerID: id, status: (messages.first?["message_status"] as? String) ?? "accepted")
    }
}
