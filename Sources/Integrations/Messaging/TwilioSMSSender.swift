import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// SMS through Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`,
/// `From` (or `MessagingServiceSid`), `Body`, `StatusCallback`, HTTP Basic with the account SID and auth token
/// (twilio.com/docs/messaging/api/message-resource). Twilio takes no idempotency key for messages, so a try that may
/// have reached it is never repeated: it is reported as `outcomeUnknown`.
public struct TwilioSMSSender: MessageSender {
    public let channel = "sms"
    public let accountSID: String
    let authToken: String
    /// A Twilio number (`+1…`) or a Messaging Service (`MG…`), which is what Twilio's Advanced Opt-Out needs.
    public let from: String
    let client: ResilientHTTPClient

    /// Error codes by which Twilio says the recipient opted out (21610: unsubscribed recipient).
    public static let optedOutCodes: Set<String> = ["21610"]

    public init(accountSID: String, authToken: String, from: String, baseURL: @escaping @Sendable () -> String = { "https://api.twilio.com" }, http: HTTPClient = .shared) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        client = ResilientHTTPClient(resolveBaseURL: baseURL, http: http, timeout: .seconds(15))
    }

    public func send(_ message: OutgoingMessage) async throws(MessagingError) -> SentMessage {
        guard !accountSID.isEmpty, !authToken.isEmpty, !from.isEmpty else { throw .notConfigured(provider: "Twilio") }
        guard let to = MobileNumber.e164(message.to) else {
            throw .refused(provider: "Twilio", providerCode: "21211", detail: "número no válido", optedOut: false)
        }
        var form = [("To", to), (from.hasPrefix("MG") ? "MessagingServiceSid" : "From", from), ("Body", message.body)]
        if let callback = message.statusCallback { form.append(("StatusCallback", callback)) }
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        let request = ResilientHTTPClient.Request(
            method: .POST, path: "/2010-04-01/Accounts/\(accountSID)/Messages.json",
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(FormEncoding.encode(form).utf8), idempotent: false
        )
        let response: ResilientHTTPClient.Response
        do { response = try await client.send(request) } catch { throw error.messaging("Twilio") }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            let code = JSONFields.text(object, "code") ?? "HTTP \(response.status)"
            if response.status == 401 || response.status == 403 { throw .notConfigured(provider: "Twilio") }
            throw .refused(provider: "Twilio", providerCode: code, detail: JSONFields.text(object, "message") ?? "", optedOut: Self.optedOutCodes.contains(code))
        }
        guard let sid = JSONFields.text(object, "sid") else {
            throw .outcomeUnknown(provider: "Twilio", detail: "respuesta sin sid")
        }
        return SentMessage(providerID: sid, status: JSONFields.text(object, "status") ?? "queued")
    }
}
