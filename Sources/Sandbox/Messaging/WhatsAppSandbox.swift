import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import LoanCollections
import NIOCore

/// Meta's WhatsApp Cloud API simulated under a prefix (`/whatsapp`): `POST /{version}/{phone-number-id}/messages` with a
/// bearer token; only template messages, by approved name and with exactly its number of body parameters (errors
/// 132001 and 132000 otherwise, Graph's `error` body); the answer's `contacts[].wa_id` uses the `521…` form Meta
/// returns for Mexican mobiles. Statuses `sent`, `delivered` and `read` — or `failed` with 131026 (numbers ending in
/// 0000) or 131050 (the person stopped the business's messages) — go to the webhook signed with
/// `X-Hub-Signature-256`; its page lets a tester reply (text or quick-reply button), posted to the webhook too.
public struct WhatsAppSandbox: Sendable {
    public static let phoneNumberID = "106540352242922"
    public static let accessToken = "EAAcarteraSandboxWhatsAppToken"
    public static let appSecret = "cartera-sandbox-meta-app-secret"
    public static let verifyToken = "cartera-sandbox-verify-token"

    let inbox: SandboxInbox
    let webhookURL: (@Sendable () -> String)?
    /// Approved template names and their number of body parameters.
    let templates: [String: Int]
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    let faults: SandboxFaults

    init(
        inbox: SandboxInbox, webhookURL: (@Sendable () -> String)?, templates: [String: Int], http: HTTPClient, clock: @escaping @Sendable () -> Timestamp,
        faults: SandboxFaults
    ) {
        self.inbox = inbox
        self.webhookURL = webhookURL
        self.templates = templates
        self.http = http
        self.clock = clock
        self.faults = faults
    }

    func add<Context: RequestContext>(to router: Router<Context>, prefix: String) {
        let group = router.group(RouterPath(prefix))
        group.post("/:version/:phone/messages") { request, context in
            if let trouble = await faults.intercept() { return trouble }
            guard request.headers[.authorization] == "Bearer \(Self.accessToken)" else {
                return Self.error(401, code: 190, type: "OAuthException", "Invalid OAuth access token - Cannot parse access token")
            }
            guard context.parameters.get("phone") == Self.phoneNumberID else {
                return Self.error(400, code: 100, type: "GraphMethodException", "Unsupported post request. Object with ID does not exist")
            }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
                return Self.error(400, code: 100, type: "OAuthException", "Invalid parameter")
            }
            return await send(object)
        }
        group.get("/_sandbox") { _, _ in
            let messages = await inbox.messages.filter { $0.channel == "whatsapp" }
            return SandboxPage.html(
                MessagingSandboxes.table(messages, title: "Sandbox de WhatsApp Cloud API", replyPath: prefix + "/_sandbox/reply", buttons: ["Ya pagué", "Necesito un plan", "Hablar con un asesor"]),
                title: "Sandbox de WhatsApp"
            )
        }
        group.post("/_sandbox/reply") { request, _ in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = Dictionary(FormEncoding.decode(String(buffer: body)), uniquingKeysWith: { first, _ in first })
            guard let from = form["from"].flatMap(MobileNumber.e164), let text = form["button"] ?? form["body"], !text.isEmpty else {
                return SandboxPage.html("<p>Indique un celular de 10 dígitos y un texto.</p>", status: .badRequest)
            }
            await reply(from: from, text: text, button: form["button"] != nil)
            return Response(status: .seeOther, headers: [.location: prefix + "/_sandbox"])
        }
    }

    func send(_ object: [String: Any]) async -> Response {
        guard object["messaging_product"] as? String == "whatsapp" else {
            return Self.error(400, code: 100, type: "OAuthException", "(#100) The parameter messaging_product is required.")
        }
        guard let to = object["to"] as? String, let number = MobileNumber.e164(to) else {
            return Self.error(400, code: 131009, type: "OAuthException", "(#131009) Parameter value is not valid")
        }
        guard object["type"] as? String == "template", let template = object["template"] as? [String: Any], let name = template["name"] as? String else {
            return Self.error(400, code: 131047, type: "OAuthException", "(#131047) Re-engagement message: more than 24 hours have passed; send a template")
        }
        guard let expected = templates[name], (template["language"] as? [String: Any])?["code"] as? String == "es_MX" else {
            return Self.error(404, code: 132001, type: "OAuthException", "(#132001) Template name does not exist in the translation")
        }
        let components = template["components"] as? [[String: Any]] ?? []
        let parameters = components.filter { $0["type"] as? String == "body" }.flatMap { ($0["parameters"] as? [[String: Any]]) ?? [] }
        let texts = parameters.compactMap { $0["text"] as? String }
        guard texts.count == expected, parameters.count == expected else {
            return Self.error(400, code: 132000, type: "OAuthException", "(#132000) Number of parameters does not match the expected number of params")
        }
        let sequence = await inbox.nextNumber()
        let id = "wamid.HBgM" + Data("\(number)-\(sequence)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let message = SandboxInbox.Message(
            id: id, channel: "whatsapp", to: number, from: Self.phoneNumberID, body: "[\(name)] " + texts.joined(separator: " | "), status: "accepted",
            errorCode: nil, createdAt: clock(), callback: nil
        )
        await inbox.add(message)
        await progress(message)
        let waID = "521" + number.dropFirst(3)
        return Self.json(200, ["messaging_product": "whatsapp", "contacts": [["input": to, "wa_id": waID]], "messages": [["id": id, "message_status": "accepted"]]])
    }

    func progress(_ message: SandboxInbox.Message) async {
        var steps: [(String, String?)] = [("sent", nil), ("delivered", nil), ("read", nil)]
        if message.to.hasSuffix("0000") { steps = [("failed", "131026")] }
        if await inbox.isOptedOut("whatsapp", message.to) { steps = [("failed", "131050")] }
        for (status, error) in steps {
            await inbox.setStatus(message.id, status, errorCode: error)
            var entry: [String: Any] = ["id": message.id, "status": status, "timestamp": String(clock().millisecondsSince1970 / 1000), "recipient_id": "521" + message.to.dropFirst(3)]
            if let error { entry["errors"] = [["code": Int(error) ?? 0, "title": error == "131050" ? "User stopped marketing messages" : "Message undeliverable"]] }
            post(["statuses": [entry]])
        }
    }

    func post(_ value: [String: Any]) {
        guard let url = webhookURL?() else { return }
        var full = value
        full["messaging_product"] = "whatsapp"
        full["metadata"] = ["display_phone_number": "15550000000", "phone_number_id": Self.phoneNumberID]
        let object: [String: Any] = ["object": "whatsapp_business_account", "entry": [["id": "WABA-CARTERA", "changes": [["field": "messages", "value": full]]]]]
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        SandboxDelivery.send(Array(body), to: url, headers: [("X-Hub-Signature-256", MetaSignature.header(for: Array(body), appSecret: Self.appSecret))], http: http)
    }

    func reply(from: String, text: String, button: Bool) async {
        if MessageStatusReport.isOptOut(text) { await inbox.optOut("whatsapp", from) }
        let sequence = await inbox.nextNumber()
        var message: [String: Any] = [
            "from": "521" + from.dropFirst(3), "id": "wamid.IN\(sequence)", "timestamp": String(clock().millisecondsSince1970 / 1000),
        ]
        if button {
            message["type"] = "button"
            message["button"] = ["text": text, "payload": text]
        } else {
            message["type"] = "text"
            message["text"] = ["body": text]
        }
        post(["contacts": [["wa_id": "521" + from.dropFirst(3), "profile": ["name": "Acreditado"]]], "messages": [message]])
    }

    static func error(_ status: Int, code: Int, type: String, _ message: String) -> Response {
        json(status, ["error": ["message": message, "type": type, "code": code, "fbtrace_id": "Acartera" + String(code)] as [String: any Sendable]])
    }

    static func json(_ status: Int, _ object: [String: any Sendable]) -> Response {
        SandboxAnswer(status: status, object: object).response(requestID: UUID().uuidString, header: "x-fb-trace-id")
    }
}
