import AsyncHTTPClient
import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import LoanCollections
import NIOCore

/// Twilio's Messages API simulated under a prefix (`/twilio`): `POST /2010-04-01/Accounts/{sid}/Messages.json` with HTTP
/// Basic (account SID and auth token), form fields `To`, `From` or `MessagingServiceSid`, `Body`, `StatusCallback`;
/// Twilio's error bodies (`code`, `message`, `more_info`, `status`): 20003 bad credentials, 21211 invalid `To`, 21602
/// no body, 21610 recipient opted out. Accepted messages are `queued`, then reported `sent` and `delivered` — or
/// `undelivered` with 30003 for numbers ending in 0000 — to the status callback, signed with `X-Twilio-Signature`.
/// Its page lets a tester reply from a phone; a reply that is an opt-out word (STOP, BAJA…) opts the number out, as
/// Twilio's Advanced Opt-Out does, and every reply is posted to the incoming-message webhook.
public struct TwilioSandbox: Sendable {
    public static let accountSID = "AC5a9db0c0ffee00000000000000ca7e7a"
    public static let authToken = "cartera-sandbox-twilio-auth-token"
    public static let fromNumber = "+15005550006"

    let inbox: SandboxInbox
    let incomingURL: (@Sendable () -> String)?
    let http: HTTPClient
    let clock: @Sendable () -> Timestamp
    let faults: SandboxFaults

    init(inbox: SandboxInbox, incomingURL: (@Sendable () -> String)?, http: HTTPClient, clock: @escaping @Sendable () -> Timestamp, faults: SandboxFaults) {
        self.inbox = inbox
        self.incomingURL = incomingURL
        self.http = http
        self.clock = clock
        self.faults = faults
    }

    func add<Context: RequestContext>(to router: Router<Context>, prefix: String) {
        let group = router.group(RouterPath(prefix))
        group.post("/2010-04-01/Accounts/:account/Messages.json") { request, context in
            if let trouble = await faults.intercept() { return trouble }
            guard Self.authorized(request, account: context.parameters.get("account")) else {
                return Self.error(401, code: 20003, "Authenticate")
            }
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = Dictionary(FormEncoding.decode(String(buffer: body)), uniquingKeysWith: { first, _ in first })
            return await create(form)
        }
        group.get("/2010-04-01/Accounts/:account/Messages/:message") { request, context in
            guard Self.authorized(request, account: context.parameters.get("account")) else { return Self.error(401, code: 20003, "Authenticate") }
            let id = (context.parameters.get("message") ?? "").replacingOccurrences(of: ".json", with: "")
            guard let message = await inbox.message(id), message.channel == "sms" else {
                return Self.error(404, code: 20404, "The requested resource was not found")
            }
            return Self.json(200, Self.resource(message))
        }
        group.get("/_sandbox") { _, _ in
            let messages = await inbox.messages.filter { $0.channel == "sms" }
            return SandboxPage.html(MessagingSandboxes.table(messages, title: "Sandbox de Twilio (SMS)", replyPath: prefix + "/_sandbox/reply"), title: "Sandbox de Twilio")
        }
        group.post("/_sandbox/reply") { request, _ in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = Dictionary(FormEncoding.decode(String(buffer: body)), uniquingKeysWith: { first, _ in first })
            guard let from = form["from"].flatMap(MobileNumber.e164), let text = form["body"], !text.isEmpty else {
                return SandboxPage.html("<p>Indique un celular de 10 dígitos y un texto.</p>", status: .badRequest)
            }
            await reply(from: from, text: text)
            return Response(status: .seeOther, headers: [.location: prefix + "/_sandbox"])
        }
    }

    static func authorized(_ request: Request, account: String?) -> Bool {
        guard account == accountSID, let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)))
        else { return false }
        return String(decoding: data, as: UTF8.self) == "\(accountSID):\(authToken)"
    }

    func create(_ form: [String: String]) async -> Response {
        guard let rawTo = form["To"], rawTo.hasPrefix("+"), rawTo.dropFirst().allSatisfy(\.isNumber), (9...16).contains(rawTo.count) else {
            return Self.error(400, code: 21211, "The 'To' number \(form["To"] ?? "") is not a valid phone number.")
        }
        guard let body = form["Body"], !body.isEmpty else { return Self.error(400, code: 21602, "Message body is required.") }
        guard body.count <= 1600 else { return Self.error(400, code: 21617, "The concatenated message body exceeds the 1600 character limit.") }
        guard form["From"] == Self.fromNumber || form["MessagingServiceSid"]?.hasPrefix("MG") == true else {
            return Self.error(400, code: 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.")
        }
        if await inbox.isOptedOut("sms", rawTo) { return Self.error(400, code: 21610, "Attempt to send to unsubscribed recipient") }
        let number = await inbox.nextNumber()
        let id = "SM" + String(format: "%032x", number)
        let message = SandboxInbox.Message(
            id: id, channel: "sms", to: rawTo, from: form["From"] ?? Self.fromNumber, body: body, status: "queued", errorCode: nil, createdAt: clock(),
            callback: form["StatusCallback"]
        )
        await inbox.add(message)
        await progress(message)
        return Self.json(201, Self.resource(message))
    }

    /// Moves the message on (sent, then delivered or undelivered) and reports each status to its callback.
    func progress(_ message: SandboxInbox.Message) async {
        let unreachable = message.to.hasSuffix("0000")
        let steps: [(String, String?)] = [("sent", nil), unreachable ? ("undelivered", "30003") : ("delivered", nil)]
        for (status, error) in steps {
            await inbox.setStatus(message.id, status, errorCode: error)
            guard let callback = message.callback else { continue }
            var parameters = [
                ("MessageSid", message.id), ("SmsSid", message.id), ("AccountSid", Self.accountSID), ("From", message.from), ("To", message.to),
                ("MessageStatus", status), ("SmsStatus", status), ("ApiVersion", "2010-04-01"),
            ]
            if let error { parameters.append(("ErrorCode", error)) }
            post(parameters, to: callback)
        }
    }

    func post(_ parameters: [(String, String)], to url: String) {
        let signature = TwilioSignature.sign(url: url, parameters: parameters, authToken: Self.authToken)
        SandboxDelivery.send(
            Array(FormEncoding.encode(parameters).utf8), to: url, headers: [("X-Twilio-Signature", signature)], contentType: "application/x-www-form-urlencoded",
            http: http
        )
    }

    func reply(from: String, text: String) async {
        if MessageStatusReport.isOptOut(text) { await inbox.optOut("sms", from) }
        if ["START", "UNSTOP", "ALTA"].contains(text.trimmingCharacters(in: .whitespaces).uppercased()) { await inbox.optIn("sms", from) }
        guard let url = incomingURL?() else { return }
        let number = await inbox.nextNumber()
        post(
            [
                ("MessageSid", "SM" + String(format: "%032x", 1_000_000 + number)), ("AccountSid", Self.accountSID), ("From", from), ("To", Self.fromNumber),
                ("Body", text), ("SmsStatus", "received"), ("NumSegments", "1"), ("ApiVersion", "2010-04-01"),
            ], to: url
        )
    }

    static func resource(_ message: SandboxInbox.Message) -> [String: any Sendable] {
        [
            "sid": message.id, "account_sid": accountSID, "to": message.to, "from": message.from, "body": message.body, "status": message.status,
            "num_segments": String(GSM7.segments(message.body)), "direction": "outbound-api", "api_version": "2010-04-01",
            "error_code": message.errorCode.flatMap { Int($0) } as (any Sendable)? ?? NSNull(), "date_created": message.createdAt.text,
            "uri": "/2010-04-01/Accounts/\(accountSID)/Messages/\(message.id).json",
        ]
    }

    static func error(_ status: Int, code: Int, _ message: String) -> Response {
        json(status, ["code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/\(code)", "status": status])
    }

    static func json(_ status: Int, _ object: [String: any Sendable]) -> Response {
        SandboxAnswer(status: status, object: object).response(requestID: "RQ" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(), header: "Twilio-Request-Id")
    }
}
