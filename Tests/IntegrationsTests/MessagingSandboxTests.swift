import CarteraCore
import CarteraTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Integrations
import NIOConcurrencyHelpers
import Sandbox
import Testing

/// Twilio's and WhatsApp's senders against their sandboxes, with a receiver that checks each webhook's signature.
@Suite("Messaging sandboxes: Twilio SMS and WhatsApp Cloud API, signed status webhooks, opt-outs")
struct MessagingSandboxTests {
    /// A webhook the receiver got: its path, body and whether its signature was right.
    struct Received: Sendable {
        let path: String
        let body: [UInt8]
        let signed: Bool
    }

    static func withSandboxes(_ body: @Sendable (_ base: String, _ received: NIOLockedValueBox<[Received]>) async throws -> Void) async throws {
        let port = BoundPort(0)
        let received = NIOLockedValueBox<[Received]>([])
        let sandboxes = try MessagingSandboxes(webhookBase: { "http://127.0.0.1:\(port.value)/webhooks" })
        let router = Router()
        sandboxes.add(to: router)
        router.post("/webhooks/twilio/:kind") { request, context in
            let bytes = Array(try await request.body.collect(upTo: 65_536).readableBytesView)
            let url = "http://127.0.0.1:\(port.value)/webhooks/twilio/\(context.parameters.get("kind") ?? "")"
            let signed = TwilioSignature.isValid(
                request.headers[values: .init("X-Twilio-Signature")!].first ?? "", url: url, parameters: FormEncoding.decode(String(decoding: bytes, as: UTF8.self)),
                authTokens: [TwilioSandbox.authToken]
            )
            received.withLockedValue { $0.append(Received(path: request.uri.path, body: bytes, signed: signed)) }
            return Response(status: .ok)
        }
        router.post("/webhooks/whatsapp") { request, _ in
            let bytes = Array(try await request.body.collect(upTo: 65_536).readableBytesView)
            let signed = MetaSignature.isValid(request.headers[values: .init("X-Hub-Signature-256")!].first, body: bytes, appSecrets: [WhatsAppSandbox.appSecret])
            received.withLockedValue { $0.append(Received(path: request.uri.path, body: bytes, signed: signed)) }
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            port.set(client.port!)
            try await body("http://127.0.0.1:\(client.port!)", received)
        }
    }

    static func eventually(_ received: NIOLockedValueBox<[Received]>, count: Int, where filter: @Sendable (Received) -> Bool) async throws -> [Received] {
        for _ in 0..<200 {
            let matching = received.withLockedValue { $0.filter(filter) }
            if matching.count >= count { return matching }
            try await Task.sleep(for: .milliseconds(25))
        }
        return received.withLockedValue { $0.filter(filter) }
    }

    static func failure(_ sender: some MessageSender, _ message: OutgoingMessage) async -> MessagingError? {
        do {
            _ = try await sender.send(message)
            return nil
        } catch { return error }
    }

    @Test("Twilio: a message queued and reported sent then delivered to its signed status callback; 0000 numbers undelivered (30003); BAJA opts the number out (21610); a wrong token is a configuration problem")
    func twilio() async throws {
        try await Self.withSandboxes { base, received in
            let sender = TwilioSMSSender(accountSID: TwilioSandbox.accountSID, authToken: TwilioSandbox.authToken, from: TwilioSandbox.fromNumber, baseURL: { base + "/twilio" })
            let callback = base + "/webhooks/twilio/estado"
            let sent = try await sender.send(OutgoingMessage(id: "msg_1", to: "5512345678", body: "Hola Maria", statusCallback: callback))
            #expect(sent.providerID.hasPrefix("SM") && sent.providerID.count == 34)
            #expect(sent.status == "queued")
            let statuses = try await Self.eventually(received, count: 2) { $0.path == "/webhooks/twilio/estado" }
            #expect(statuses.allSatisfy { $0.signed })
            let reports = statuses.map { MessageStatusReport.twilio(FormEncoding.decode(String(decoding: $0.body, as: UTF8.self))) }
            #expect(Set(reports.flatMap(\.updates).map(\.status)) == ["sent", "delivered"])
            #expect(reports.flatMap(\.updates).allSatisfy { $0.providerID == sent.providerID })

            let lost = try await sender.send(OutgoingMessage(id: "msg_2", to: "5500000000", body: "Hola", statusCallback: callback))
            let undelivered = try await Self.eventually(received, count: 1) { String(decoding: $0.body, as: UTF8.self).contains("undelivered") }
            #expect(MessageStatusReport.twilio(FormEncoding.decode(String(decoding: undelivered[0].body, as: UTF8.self))).updates.last
                == .init(providerID: lost.providerID, status: "undelivered", errorCode: "30003"))

            // The borrower answers BAJA from the sandbox's page: Cartera gets the signed reply and Twilio refuses the next message.
            var request = URLRequest(url: URL(string: base + "/twilio/_sandbox/reply")!)
            request.httpMethod = "POST"
            request.httpBody = Data("from=5512345678&body=BAJA".utf8)
            _ = try await URLSession.shared.data(for: request)
            let replies = try await Self.eventually(received, count: 1) { $0.path == "/webhooks/twilio/entrantes" }
            #expect(replies.first?.signed == true)
            let reply = MessageStatusReport.twilio(FormEncoding.decode(String(decoding: replies[0].body, as: UTF8.self))).replies
            #expect(reply.map(\.from) == ["+525512345678"] && reply.map(\.text) == ["BAJA"])
            let refused = await Self.failure(sender, OutgoingMessage(id: "msg_3", to: "5512345678", body: "Hola"))
            #expect(refused == .refused(provider: "Twilio", providerCode: "21610", detail: "Attempt to send to unsubscribed recipient", optedOut: true))
            let wrong = TwilioSMSSender(accountSID: TwilioSandbox.accountSID, authToken: "otro", from: TwilioSandbox.fromNumber, baseURL: { base + "/twilio" })
            #expect(await Self.failure(wrong, OutgoingMessage(id: "msg_4", to: "5512345679", body: "Hola")) == .notConfigured(provider: "Twilio"))
            #expect(await Self.failure(sender, OutgoingMessage(id: "msg_5", to: "12345", body: "Hola"))?.code == "message_refused")
        }
    }

    @Test("WhatsApp: an approved template sent, statuses sent/delivered/read signed with X-Hub-Signature-256; wrong parameter count (132000), unknown template (132001); a stopped number fails with 131050")
    func whatsApp() async throws {
        try await Self.withSandboxes { base, received in
            let sender = WhatsAppCloudSender(phoneNumberID: WhatsAppSandbox.phoneNumberID, accessToken: WhatsAppSandbox.accessToken, baseURL: { base + "/whatsapp" })
            let parameters = ["María", "15/03/2026", "$1,250.00", "4821", "Financiera Ejemplo", "646180157000000004", "55 1234 5678"]
            let template = OutgoingMessage.WhatsAppTemplate(name: "aviso_vencimiento_v1", parameters: parameters)
            let sent = try await sender.send(OutgoingMessage(id: "msg_1", to: "5512345678", body: "", whatsAppTemplate: template))
            #expect(sent.providerID.hasPrefix("wamid."))
            let hooks = try await Self.eventually(received, count: 3) { $0.path == "/webhooks/whatsapp" }
            #expect(hooks.allSatisfy { $0.signed })
            let updates = hooks.compactMap { MessageStatusReport.whatsApp($0.body) }.flatMap(\.updates)
            // Like Meta, the sandbox posts each status on its own: they may arrive in any order.
            #expect(Set(updates.map(\.status)) == ["sent", "delivered", "read"] && updates.count == 3)
            #expect(updates.allSatisfy { $0.providerID == sent.providerID })

            var short = template
            short.parameters.removeLast()
            #expect(await Self.failure(sender, OutgoingMessage(id: "msg_2", to: "5512345678", body: "", whatsAppTemplate: short))?.code == "message_refused")
            let unknown = OutgoingMessage.WhatsAppTemplate(name: "promocion_v9", parameters: [])
            let refused = await Self.failure(sender, OutgoingMessage(id: "msg_3", to: "5512345678", body: "", whatsAppTemplate: unknown))
            #expect(refused == .refused(provider: "WhatsApp", providerCode: "132001", detail: "(#132001) Template name does not exist in the translation", optedOut: false))
            #expect(await Self.failure(sender, OutgoingMessage(id: "msg_4", to: "5512345678", body: "sin plantilla"))?.code == "message_refused")

            var request = URLRequest(url: URL(string: base + "/whatsapp/_sandbox/reply")!)
            request.httpMethod = "POST"
            request.httpBody = Data("from=5512345678&body=BAJA".utf8)
            _ = try await URLSession.shared.data(for: request)
            let replies = try await Self.eventually(received, count: 1) { MessageStatusReport.whatsApp($0.body)?.replies.isEmpty == false }
            let reply = try #require(MessageStatusReport.whatsApp(replies[0].body)?.replies.first)
            #expect(reply.from == "+525512345678" && reply.text == "BAJA")
            received.withLockedValue { $0 = [] }
            let stopped = try await sender.send(OutgoingMessage(id: "msg_5", to: "5512345678", body: "", whatsAppTemplate: template))
            let failed = try await Self.eventually(received, count: 1) { MessageStatusReport.whatsApp($0.body)?.updates.first?.status == "failed" }
            #expect(MessageStatusReport.whatsApp(failed[0].body)?.updates.first == .init(providerID: stopped.providerID, status: "failed", errorCode: "131050"))
        }
    }
}
