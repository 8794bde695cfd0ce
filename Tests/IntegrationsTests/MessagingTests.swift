import CarteraCore
import CarteraTestSupport
import Foundation
import Integrations
import NIOCore
import NIOPosix
import Sandbox
import Testing

@Suite("Messaging: SMTP client against the sink, MIME, Twilio and Meta signatures, status reports")
struct MessagingTests {
    @Test("Twilio's request signature matches the examples in Twilio's documentation (HMAC-SHA1 over URL and sorted parameters)")
    func twilioSignature() {
        // TwilioDevEd/api-snippets, security/signature_validation: token 12345.
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        func parameters(_ phone: String) -> [(String, String)] {
            [("To", "+18005551212"), ("CallSid", "CA1234567890ABCDE"), ("Caller", phone), ("Digits", "1234"), ("From", phone)]
        }
        #expect(TwilioSignature.sign(url: url, parameters: parameters("+14158675310"), authToken: "12345") == "GvWf1cFY/Q7PnoempGyD5oXAezc=")
        #expect(TwilioSignature.sign(url: url, parameters: parameters("+14158675309"), authToken: "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(TwilioSignature.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url, parameters: parameters("+14158675310"), authTokens: ["otro", "12345"]))
        #expect(!TwilioSignature.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url + "&x=1", parameters: parameters("+14158675310"), authTokens: ["12345"]))
        #expect(!TwilioSignature.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url, parameters: parameters("+14158675310"), authTokens: [""]))
    }

    @Test("Meta's X-Hub-Signature-256 is HMAC-SHA256 of the raw bytes (value from Python's hmac), accents included")
    func metaSignature() {
        let body = Array(#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.ABC","status":"delivered"}]}}]}],"nombre":"María"}"#.utf8)
        let header = "sha256=1f344ea33fcb43c3ebbc7f586f000a916192fd28e18ecacec4909150b9f1dfc4"
        #expect(MetaSignature.header(for: body, appSecret: "app-secret") == header)
        #expect(MetaSignature.isValid(header, body: body, appSecrets: ["app-secret"]))
        #expect(!MetaSignature.isValid(header, body: body + [32], appSecrets: ["app-secret"]))
        #expect(!MetaSignature.isValid(nil, body: body, appSecrets: ["app-secret"]))
        #expect(!MetaSignature.isValid(String(header.dropFirst(7)), body: body, appSecrets: ["app-secret"]))
    }

    @Test("Status reports: Twilio's callback and reply, WhatsApp's statuses, errors and button replies; Mexican numbers in one form")
    func statusReports() throws {
        let twilio = MessageStatusReport.twilio([("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003")])
        #expect(twilio.updates == [.init(providerID: "SM1", status: "undelivered", errorCode: "30003")])
        let reply = MessageStatusReport.twilio([("MessageSid", "SM2"), ("SmsStatus", "received"), ("From", "+525512345678"), ("Body", " baja ")])
        #expect(reply.replies == [.init(providerID: "SM2", from: "+525512345678", text: " baja ")])
        #expect(MessageStatusReport.isOptOut(" baja ") && MessageStatusReport.isOptOut("STOP.") && !MessageStatusReport.isOptOut("no me den de baja"))
        let body = #"""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
        "statuses":[{"id":"wamid.A","status":"failed","recipient_id":"5215512345678","errors":[{"code":131026,"title":"Message undeliverable"}]}],
        "messages":[{"from":"5215512345678","id":"wamid.B","type":"button","button":{"text":"Ya pagué","payload":"pagado"}}]}}]}]}
        """#
        let whatsApp = try #require(MessageStatusReport.whatsApp(Array(body.utf8)))
        #expect(whatsApp.updates == [.init(providerID: "wamid.A", status: "failed", errorCode: "131026")])
        #expect(whatsApp.replies == [.init(providerID: "wamid.B", from: "+525512345678", text: "Ya pagué")])
        #expect(MessageStatusReport.whatsApp(Array(#"{"object":"page"}"#.utf8)) == nil)
        #expect(MobileNumber.e164("55 1234 5678") == "+525512345678")
        #expect(MobileNumber.e164("5215512345678") == "+525512345678")
        #expect(MobileNumber.whatsApp("+52 55 1234 5678") == "525512345678")
        #expect(MobileNumber.e164("12345") == nil)
    }

    @Test("MIME: accented subject in RFC 2047 words under 76 characters, Base64 body, header injection refused, read back")
    func mime() {
        let subject = "Información sobre tu crédito 4821 — Financiera Ejemplo, S.A. de C.V., SOFOM, E.N.R."
        let data = MIMEMessage.build(
            from: "cobranza@ejemplo.mx", fromName: "Financiera Ejemplo", to: "maria@example.com", subject: subject, body: "Hola María:\n.línea con punto\nAdiós",
            messageID: "msg_1@ejemplo.mx", date: Timestamp(millisecondsSince1970: 1_764_000_000_000)
        )
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("Date: Mon, 24 Nov 2025 16:00:00 +0000\r\n"))
        #expect(text.split(separator: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(!text.contains("Información"))
        let read = MIMEMessage.read(data)
        #expect(read.subject == subject)
        #expect(read.body == "Hola María:\n.línea con punto\nAdiós")
        #expect(MIMEMessage.isSafeAddress("maria@example.com"))
        #expect(!MIMEMessage.isSafeAddress("maria@example.com>\r\nRCPT TO:<otro@example.com"))
        #expect(!MIMEMessage.isSafeAddress("maria example@example.com"))
    }

    static func settings(_ sink: SMTPSink, password: String = SMTPSink.password, trust: Bool = true) -> SMTPSender.Settings {
        SMTPSender.Settings(
            host: "127.0.0.1", port: sink.port, security: .startTLS, username: SMTPSink.username, password: password, from: "cobranza@ejemplo.mx",
            fromName: "Financiera Ejemplo", trustedCertificatesPEM: trust ? sink.certificatePEM : nil, timeout: .seconds(10)
        )
    }

    @Test("SMTP: STARTTLS, AUTH PLAIN, the message kept by the sink as sent (dot-stuffed line restored); refusals, deferrals, bad credentials, untrusted certificate and a lost answer each reported as such")
    func smtp() async throws {
        let sink = try SMTPSink()
        try await sink.start()
        defer { Task { await sink.stop() } }
        let sender = SMTPSender(settings: Self.settings(sink))
        let message = OutgoingMessage(id: "msg_0001", to: "maria@example.com", subject: "Tu crédito 4821", body: "Hola María:\n.empieza con punto\n\nSaludos")
        let sent = try await sender.send(message)
        #expect(sent.providerID == "<msg_0001@ejemplo.mx>")
        let mail = try #require(sink.mails.last)
        #expect(mail.from == "cobranza@ejemplo.mx" && mail.recipients == ["maria@example.com"])
        #expect(mail.subject == "Tu crédito 4821")
        #expect(mail.body == "Hola María:\n.empieza con punto\n\nSaludos")
        #expect(mail.messageID == "<msg_0001@ejemplo.mx>")

        func failure(_ sender: SMTPSender, to: String) async -> MessagingError? {
            do {
                _ = try await sender.send(OutgoingMessage(id: "msg_x", to: to, subject: "Aviso", body: "Hola"))
                return nil
            } catch { return error }
        }
        let refused = await failure(sender, to: "rechaza@example.com")
        #expect(refused?.code == "message_refused")
        #expect(refused?.isTemporary == false)
        #expect(await failure(sender, to: "temporal@example.com")?.isTemporary == true)
        #expect(await failure(sender, to: "sin-respuesta@example.com")?.code == "message_outcome_unknown")
        #expect(await failure(SMTPSender(settings: Self.settings(sink, password: "otra")), to: "maria@example.com")?.code == "message_provider_not_configured")
        #expect(await failure(SMTPSender(settings: Self.settings(sink, trust: false)), to: "maria@example.com")?.isTemporary == true)
        #expect(await failure(sender, to: "x@y.com>\r\nDATA")?.code == "message_refused")
        // Only the first message, and the one whose answer was lost, were taken.
        #expect(sink.mails.map(\.recipients) == [["maria@example.com"], ["sin-respuesta@example.com"]])
        let closed = try SMTPSink()
        let port = try await closed.start()
        await closed.stop()
        let nobody = SMTPSender(settings: SMTPSender.Settings(host: "127.0.0.1", port: port, security: .startTLS, from: "a@b.mx"))
        #expect(await failure(nobody, to: "maria@example.com")?.isTemporary == true)
    }

    @Test("The sink refuses commands that came in the same packet as STARTTLS (sent before TLS) and hangs up, never authenticating them")
    func startTLSInjection() async throws {
        let sink = try SMTPSink()
        let port = try await sink.start()
        defer { Task { await sink.stop() } }
        let reader = SMTPLineReader()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reader) } }
            .connect(host: "127.0.0.1", port: port).get()
        let loop = channel.eventLoop
        func line() async throws -> String { try await loop.flatSubmit { reader.nextLine(on: loop, timeout: .seconds(5)) }.get() }
        #expect(try await line().hasPrefix("220"))
        let plain = Data("\u{0}\(SMTPSink.username)\u{0}\(SMTPSink.password)".utf8).base64EncodedString()
        try await channel.writeAndFlush(ByteBuffer(string: "EHLO x\r\nSTARTTLS\r\nAUTH PLAIN \(plain)\r\n")).get()
        var lines: [String] = []
        while let next = try? await line() { lines.append(next) }
        #expect(lines.contains { $0.hasPrefix("503") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("235") || $0.hasPrefix("220 2.0.0") }, "\(lines)")
    }
}
