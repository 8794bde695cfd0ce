@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Integrations
import Sandbox
import SQLKit
import Store
import Testing

@Suite("Webhooks: receiving, storing once, refusing")
struct WebhookRoutesTests {
    @Test("The headers kept with an event are JSON with sorted keys, whatever characters they carry")
    func keptHeadersAreJSON() throws {
        let headers = ["user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)", "x-request-id": "a\"b\\c\u{1}d ñ", "content-type": "application/json"]
        let text = GatewayInbox.json(headers)
        #expect(text.hasPrefix(#"{"content-type":"application/json","user-agent":"#))
        #expect(text.contains(#""a\"b\\c\u0001d ñ""#))
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(decoded == headers)
        #expect(GatewayInbox.json([:]) == "{}")
    }

    static let secret = "whsec_route_test_4b2f"

    /// A back office whose Stripe webhooks are signed with `secret` (other providers left unconfigured).
    static func withStripe(on engine: TestEngine, _ body: @escaping @Sendable (Database, any TestClientProtocol, TestClock) async throws -> Void) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock()
            try await makeApp(database, clock: { clock.read() }, configure: { $0.gatewayWebhooks.stripeSecrets = [Self.secret] }).test(.router) { client in
                try await body(database, client, clock)
            }
        }
    }

    static func event(_ id: String) -> String {
        #"{"id":"\#(id)","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_\#(id)","object":"payment_intent","amount":150000,"currency":"mxn","status":"succeeded"}}}"#
    }

    /// Headers as Stripe signs them: HMAC-SHA256 of "t.body" under the endpoint secret.
    static func signed(_ body: String, at time: Timestamp, secret: String = secret) -> HTTPFields {
        let t = time.millisecondsSince1970 / 1000
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return [HTTPField.Name("Stripe-Signature")!: "t=\(t),v1=\(mac.map { String(format: "%02x", $0) }.joined())", .contentType: "application/json"]
    }

    static func stored(_ database: Database) async throws -> [(id: String, deliveries: Int64, state: String, body: Data)] {
        try await database.withConnection { db in
            try await db.raw("SELECT event_id, deliveries, state, body FROM gateway_events ORDER BY event_id").all().map {
                (try $0.decode(column: "event_id", as: String.self), try $0.decode(column: "deliveries", as: Int64.self),
                 try $0.decode(column: "state", as: String.self), try $0.decode(column: "body", as: Data.self))
            }
        }
    }

    static func audited(_ database: Database) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("SELECT action, outcome FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY sequence").all().map {
                "\(try $0.decode(column: "action", as: String.self)) \(try $0.decode(column: "outcome", as: String.self))"
            }
        }
    }

    @Test("A signed event is stored raw once; a repeated delivery is acknowledged and counted, not stored again", arguments: TestEngine.available)
    func storesOnce(engine: TestEngine) async throws {
        try await Self.withStripe(on: engine) { database, client, clock in
            let body = Self.event("evt_A1")
            let first = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: Self.signed(body, at: clock.read()), body: ByteBuffer(string: body))
            #expect(first.status == .ok)
            #expect(String(buffer: first.body).contains(#""duplicate":false"#))
            clock.advance(seconds: 60)
            let again = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: Self.signed(body, at: clock.read()), body: ByteBuffer(string: body))
            #expect(again.status == .ok && String(buffer: again.body).contains(#""duplicate":true"#))
            let rows = try await Self.stored(database)
            #expect(rows.count == 1 && rows[0].id == "evt_A1" && rows[0].deliveries == 2 && rows[0].state == "received")
            #expect(rows[0].body == Data(body.utf8))
            #expect(try await Self.audited(database) == ["webhook.received success"])
        }
    }

    @Test("Tampered, wrongly signed, unsigned and stale deliveries are refused with 4xx and audited; nothing is stored", arguments: TestEngine.available)
    func refuses(engine: TestEngine) async throws {
        try await Self.withStripe(on: engine) { database, client, clock in
            let body = Self.event("evt_B2")
            let tampered = body.replacingOccurrences(of: "150000", with: "950000")
            var response = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: Self.signed(body, at: clock.read()), body: ByteBuffer(string: tampered))
            #expect(response.status == .unauthorized && String(buffer: response.body).contains("webhook_signature_invalid"))
            response = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: Self.signed(body, at: clock.read(), secret: "whsec_otro"), body: ByteBuffer(string: body))
            #expect(response.status == .unauthorized)
            response = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .unauthorized && String(buffer: response.body).contains("webhook_signature_missing"))
            // A genuine delivery replayed after the 300 s tolerance.
            let old = clock.read()
            clock.advance(seconds: 301)
            response = try await client.execute(uri: "/webhooks/stripe", method: .post, headers: Self.signed(body, at: old), body: ByteBuffer(string: body))
            #expect(response.status == .badRequest && String(buffer: response.body).contains("webhook_timestamp_stale"))
            // A provider without configuration: 503, so the provider keeps the event and retries; an unknown one: 404.
            response = try await client.execute(uri: "/webhooks/conekta", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(response.status == .serviceUnavailable && String(buffer: response.body).contains("webhook_not_configured"))
            #expect(try await client.execute(uri: "/webhooks/banco", method: .post, body: ByteBuffer(string: "{}")).status == .notFound)
            #expect(try await Self.stored(database).isEmpty)
            #expect(try await Self.audited(database) == Array(repeating: "webhook.rejected denied", count: 5))
            #expect(try await AuditLog.verify(database: database).firstBreak == nil)
        }
    }

    @Test("200 concurrent deliveries of one event store it once", arguments: TestEngine.available)
    func concurrentDeliveries(engine: TestEngine) async throws {
        try await Self.withStripe(on: engine) { database, client, clock in
            let body = Self.event("evt_C3")
            let headers = Self.signed(body, at: clock.read())
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await client.execute(uri: "/webhooks/stripe", method: .post, headers: headers, body: ByteBuffer(string: body)).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == .ok })
            let rows = try await Self.stored(database)
            #expect(rows.count == 1 && rows[0].deliveries == 200)
            #expect(try await Self.audited(database) == ["webhook.received success"])
        }
    }
}

@Suite("Stripe sandbox → Cartera, end to end")
struct StripeSandboxWebhookTests {
    @Test("A card payment in the Stripe sandbox reaches Cartera as a signed webhook and is stored once")
    func sandboxDeliversSignedEvents() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let cartera = try await makeApp(database, configure: { $0.gatewayWebhooks.stripeSecrets = [WebhookRoutesTests.secret] })
            try await cartera.test(.live) { carteraClient in
                let router = Router()
                StripeSandbox(
                    publicURL: "http://127.0.0.1",
                    webhook: .init(url: "http://127.0.0.1:\(carteraClient.port!)/webhooks/stripe", secret: WebhookRoutesTests.secret)
                ).add(to: router)
                let sandbox = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await sandbox.test(.live) { sandboxClient in
                    let stripe = StripeGateway(
                        secretKey: "sk_test_cartera", client: ProviderHTTPClient(provider: .stripe, baseURL: "http://127.0.0.1:\(sandboxClient.port!)/stripe")
                    )
                    let charge = try await stripe.charge(GatewayChargeRequest(
                        intentID: "pi-e2e-1", amount: .mxn(centavos: 150_000), description: "Pago de crédito", payerName: "Ana López", payerEmail: nil,
                        method: .card(token: "tok_visa")
                    ))
                    var events: [(type: String, object: String?)] = []
                    for _ in 0..<100 {
                        events = try await database.withConnection { db in
                            try await db.raw("SELECT type, object_id FROM gateway_events").all().map {
                                (try $0.decode(column: "type", as: String.self), try $0.decode(column: "object_id", as: String?.self))
                            }
                        }
                        if !events.isEmpty { break }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(events.count == 1 && events.first?.type == "payment_intent.succeeded" && events.first?.object == charge.id)
                }
            }
        }
    }
}
