import CarteraCore
import CryptoExtras
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Integrations
@testable import Sandbox
import Testing

/// PayPal's webhook signatures: RSA SHA-256 over `id|time|webhook id|CRC32(body)` with the certificate PayPal names.
@Suite("Webhooks: PayPal certificate signatures")
struct PayPalWebhookTests {
    static let body = Array(#"{"id":"WH-58D329510W468432D-8HN650336L201105X","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"42311647XV020574X","custom_id":"pin_1"}}"#.utf8)
    static let webhookID = "WH-TEST-1"
    /// Now, to the second (the sandbox's certificate is valid from an hour before it was made).
    static let sent = Timestamp(millisecondsSince1970: Timestamp.now.millisecondsSince1970 / 1000 * 1000)

    @Test("CRC32 agrees with zlib (Python's zlib.crc32)")
    func crc32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 3_421_780_262)
        #expect(CRC32.checksum(Self.body) == 1_220_888_571)
    }

    /// Headers as PayPal sends them, signed with the sandbox's key (whose certificate the sandbox serves).
    static func request(body: [UInt8] = body, webhookID: String = webhookID, certURL: String, time: Timestamp = sent) -> WebhookRequest {
        let transmission = "69cd13f0-d67a-11e5-baa3-778b53f4ae55"
        let timeText = String(time.text.prefix(19)) + "Z"
        let message = "\(transmission)|\(timeText)|\(webhookID)|\(CRC32.checksum(body))"
        let signature = try! SandboxKeys.rsa.signature(for: Array(message.utf8), padding: .insecurePKCS1v1_5)
        return WebhookRequest(
            headers: [
                "paypal-transmission-id": transmission, "paypal-transmission-time": timeText, "paypal-cert-url": certURL,
                "paypal-transmission-sig": signature.rawRepresentation.base64EncodedString(), "paypal-auth-algo": "SHA256withRSA",
            ],
            body: Self.body == body ? Self.body : body
        )
    }

    static func check(_ verifier: PayPalWebhookVerifier, _ request: WebhookRequest, now: Timestamp = sent.adding(seconds: 5)) async -> Result<VerifiedWebhook, WebhookRejection> {
        do {
            try await verifier.prepare(request)
            return .success(try verifier.verify(request, now: now))
        } catch {
            return .failure(error)
        }
    }

    @Test("A delivery signed with the certificate PayPal names is accepted; wrong webhook id, tampered body, stale time, foreign certificate URL and missing headers are refused")
    func verification() async throws {
        let router = Router()
        GatewaySandboxes(publicBase: { "http://127.0.0.1" }, webhookBase: nil).add(to: router)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let certURL = "http://127.0.0.1:\(client.port!)/paypal/_sandbox/certs/sandbox.pem"
            let verifier = PayPalWebhookVerifier(webhookID: Self.webhookID, certificates: PayPalCertificates(trustedPrefixes: ["http://127.0.0.1:\(client.port!)/paypal/"]))
            let event = try await Self.check(verifier, Self.request(certURL: certURL)).get()
            #expect(event.eventID == "WH-58D329510W468432D-8HN650336L201105X" && event.type == "PAYMENT.CAPTURE.COMPLETED" && event.objectID == "42311647XV020574X")
            #expect(!event.payloadIsSigned)
            func reason(_ result: Result<VerifiedWebhook, WebhookRejection>) -> WebhookRejection.Reason? {
                if case .failure(let rejection) = result { rejection.reason } else { nil }
            }
            #expect(reason(await Self.check(verifier, Self.request(webhookID: "WH-OTHER", certURL: certURL))) == .invalidSignature)
            var tampered = Self.request(certURL: certURL)
            tampered = WebhookRequest(headers: tampered.headers, body: Array(String(decoding: Self.body, as: UTF8.self).replacingOccurrences(of: "pin_1", with: "pin_2").utf8))
            #expect(reason(await Self.check(verifier, tampered)) == .invalidSignature)
            #expect(reason(await Self.check(verifier, Self.request(certURL: certURL), now: Self.sent.adding(seconds: 301))) == .staleTimestamp)
            #expect(reason(await Self.check(verifier, Self.request(certURL: "https://evil.example/cert.pem"))) == .invalidSignature)
            #expect(reason(await Self.check(verifier, WebhookRequest(headers: [:], body: Self.body))) == .missingSignature)
            let unconfigured = PayPalWebhookVerifier(webhookID: "", certificates: PayPalCertificates())
            #expect(reason(await Self.check(unconfigured, Self.request(certURL: certURL))) == .notConfigured)
        }
    }

    @Test("PayPal's access token is fetched once for concurrent callers, kept, and fetched again when refused")
    func accessTokens() async throws {
        let router = Router()
        GatewaySandboxes(publicBase: { "http://127.0.0.1" }, webhookBase: nil).add(to: router)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let http = ProviderHTTPClient(provider: .paypal, baseURL: "http://127.0.0.1:\(client.port!)/paypal")
            let tokens = PayPalAccessTokens(client: http, clientID: GatewaySandboxes.payPalClientID, secret: GatewaySandboxes.payPalSecret)
            let all = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await tokens.token() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(all.count == 1 && all.first?.hasPrefix("A21AA") == true)
            #expect(await tokens.fetched == 1)
            await tokens.invalidate()
            #expect(try await tokens.token() != all.first)
            #expect(await tokens.fetched == 2)
            let wrong = PayPalAccessTokens(client: http, clientID: GatewaySandboxes.payPalClientID, secret: "wrong")
            await #expect(throws: GatewayError.self) { _ = try await wrong.token() }
        }
    }
}
