import AsyncHTTPClient
import CarteraCore
import Foundation
import Hummingbird
import Integrations
import LoanCollections

/// The messaging providers' simulators: Twilio (`/twilio`), WhatsApp Cloud API (`/whatsapp`), an SMTP sink on a port of
/// its own, and one inbox page (`/bandeja`) with every SMS, WhatsApp message and e-mail a borrower would have received.
public struct MessagingSandboxes: Sendable {
    let inbox: SandboxInbox
    public let faults: SandboxFaults
    public let twilio: TwilioSandbox
    public let whatsApp: WhatsAppSandbox
    /// Started by whoever serves the sandboxes (`start()`), stopped with them.
    public let sink: SMTPSink

    /// - Parameter webhookBase: where Cartera takes webhooks (`http://127.0.0.1:8080/webhooks`): Twilio's replies go to
    ///   `<webhookBase>/twilio/entrantes`, WhatsApp's statuses and replies to `<webhookBase>/whatsapp`. Twilio's statuses
    ///   go wherever each message's `StatusCallback` says.
    public init(
        webhookBase: (@Sendable () -> String)?, http: HTTPClient = .shared, clock: @escaping @Sendable () -> Timestamp = { .now },
        templates: [MessageTemplate] = MessageTemplates.standard, faults: SandboxFaults = SandboxFaults()
    ) throws {
        self.faults = faults
        let inbox = SandboxInbox()
        self.inbox = inbox
        var incoming: (@Sendable () -> String)?
        var statuses: (@Sendable () -> String)?
        if let webhookBase {
            incoming = { webhookBase() + "/twilio/entrantes" }
            statuses = { webhookBase() + "/whatsapp" }
        }
        twilio = TwilioSandbox(inbox: inbox, incomingURL: incoming, http: http, clock: clock, faults: faults)
        var approved: [String: Int] = [:]
        for template in templates where template.channel == .whatsapp {
            if let name = template.whatsAppName { approved[name] = template.parameters.count }
        }
        whatsApp = WhatsAppSandbox(
            inbox: inbox, webhookURL: statuses, templates: approved, http: http, clock: clock, faults: faults
        )
        sink = try SMTPSink(clock: clock)
    }

    public func add<Context: RequestContext>(to router: Router<Context>, prefix: String = "") {
        twilio.add(to: router, prefix: prefix + "/twilio")
        whatsApp.add(to: router, prefix: prefix + "/whatsapp")
        router.get(RouterPath(prefix + "/bandeja")) { _, _ in
            SandboxPage.html(await inboxPage(prefix: prefix), title: "Bandeja del sandbox — Cartera")
        }
    }

    /// Every message received, newest first.
    public func received() async -> [(channel: String, to: String, at: Timestamp, status: String, text: String)] {
        var rows = await inbox.messages.map { ($0.channel, $0.to, $0.createdAt, $0.status + ($0.errorCode.map { " (\($0))" } ?? ""), $0.body) }
        rows += sink.mails.map { ("email", $0.recipients.joined(separator: ", "), $0.receivedAt, "entregado al buzón", $0.subject + "\n\n" + $0.body) }
        return rows.sorted { $0.2 > $1.2 }.map { (channel: $0.0, to: $0.1, at: $0.2, status: $0.3, text: $0.4) }
    }

    func inboxPage(prefix: String) async -> String {
        let labels = ["sms": "SMS", "whatsapp": "WhatsApp", "email": "Correo"]
        let rows = await received().map { row in
            "<tr><td>\(labels[row.channel] ?? row.channel)</td><td>\(SandboxPage.escape(row.to))</td><td>\(SandboxPage.escape(row.at.text))</td>"
                + "<td>\(SandboxPage.escape(row.status))</td><td><pre style=\"white-space:pre-wrap;margin:0\">\(SandboxPage.escape(row.text))</pre></td></tr>"
        }
        return """
            <h1>Bandeja del sandbox</h1><p>Lo que recibirían los acreditados: SMS (<a href="\(prefix)/twilio/_sandbox">Twilio</a>), WhatsApp
            (<a href="\(prefix)/whatsapp/_sandbox">Cloud API</a>) y correos que llegaron al servidor SMTP de prueba (puerto \(sink.port)).</p>
            <table><thead><tr><th>Canal</th><th>Para</th><th>Recibido</th><th>Estado</th><th>Mensaje</th></tr></thead><tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"5\">Aún no hay mensajes.</td></tr>" : rows.joined())</tbody></table>
            """
    }

    /// A provider's page: its messages, and a form to answer as a borrower.
    static func table(_ messages: [SandboxInbox.Message], title: String, replyPath: String, buttons: [String] = []) -> String {
        let rows = messages.reversed().map { message in
            "<tr><td>\(SandboxPage.escape(message.id))</td><td>\(SandboxPage.escape(message.to))</td><td>\(SandboxPage.escape(message.createdAt.text))</td>"
                + "<td>\(SandboxPage.escape(message.status))\(message.errorCode.map { " (\($0))" } ?? "")</td><td>\(SandboxPage.escape(message.body))</td></tr>"
        }
        let buttonHTML = buttons.map { "<button name=\"button\" value=\"\(SandboxPage.escape($0))\">\(SandboxPage.escape($0))</button>" }.joined()
        return """
            <h1>\(SandboxPage.escape(title))</h1>
            <form method="post" action="\(replyPath)"><label>Celular <input name="from" placeholder="5512345678" required></label>
            <label>Respuesta <input name="body" placeholder="BAJA"></label> <button>Responder</button>\(buttonHTML)</form>
            <table><thead><tr><th>Id</th><th>Para</th><th>Enviado</th><th>Estado</th><th>Mensaje</th></tr></thead><tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"5\">Aún no hay mensajes.</td></tr>" : rows.joined())</tbody></table>
            """
    }

    /// The settings that point Cartera at these sandboxes served at `base`, with the SMTP sink on `smtpPort` and its
    /// certificate authority written to `caFile`.
    public static func environment(base: String, smtpPort: Int, caFile: String) -> [(String, String)] {
        [
            ("CARTERA_TWILIO_API_BASE", base + "/twilio"), ("CARTERA_TWILIO_ACCOUNT_SID", TwilioSandbox.accountSID),
            ("CARTERA_TWILIO_AUTH_TOKEN", TwilioSandbox.authToken), ("CARTERA_TWILIO_FROM", TwilioSandbox.fromNumber),
            ("CARTERA_WHATSAPP_API_BASE", base + "/whatsapp"), ("CARTERA_WHATSAPP_PHONE_NUMBER_ID", WhatsAppSandbox.phoneNumberID),
            ("CARTERA_WHATSAPP_ACCESS_TOKEN", WhatsAppSandbox.accessToken), ("CARTERA_WHATSAPP_APP_SECRET", WhatsAppSandbox.appSecret),
            ("CARTERA_WHATSAPP_VERIFY_TOKEN", WhatsAppSandbox.verifyToken),
            ("CARTERA_SMTP_HOST", "127.0.0.1"), ("CARTERA_SMTP_PORT", String(smtpPort)), ("CARTERA_SMTP_SECURITY", "starttls"),
            ("CARTERA_SMTP_USERNAME", SMTPSink.username), ("CARTERA_SMTP_PASSWORD", SMTPSink.password), ("CARTERA_SMTP_CA_FILE", caFile),
        ]
    }
}
