import CarteraCore
import Foundation
import Integrations
import Testing

/// Signatures here were made independently of Cartera (Python's `hmac`, `openssl dgst -sha256 -sign`), so a verifier
/// that agrees with them agrees with the providers' own algorithms, not only with itself.
@Suite("Webhooks: provider signatures")
struct WebhookVerifierTests {
    // MARK: Stripe

    static let stripeBody = Array(#"{"id":"evt_1Nq7Xy2eZvKYlo2C","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Nq7","object":"payment_intent","amount":150000,"currency":"mxn","status":"succeeded"}}}"#.utf8)
    static let stripeSecret = "whsec_test_9f8e7d6c5b4a"
    static let stripeSigned = Timestamp(millisecondsSince1970: 1_795_762_800_000)
    static let stripeSignature = "9640b1d92a90ae48d3c51ab09065949db9b55281085e44f0fd7cfdd9df74b475"

    static func stripe(_ header: String?, body: [UInt8] = stripeBody) -> WebhookRequest {
        WebhookRequest(headers: header.map { ["Stripe-Signature": $0] } ?? [:], body: body)
    }

    @Test func stripeAcceptsItsSignatureAmongSeveralAndWithARolledSecret() throws {
        let verifier = StripeWebhookVerifier(secrets: [Self.stripeSecret])
        let header = "t=1795762800,v1=\(Self.stripeSignature),v0=deadbeef"
        let event = try verifier.verify(Self.stripe(header), now: Self.stripeSigned.adding(seconds: 10))
        #expect(event == VerifiedWebhook(provider: .stripe, eventID: "evt_1Nq7Xy2eZvKYlo2C", type: "payment_intent.succeeded", objectID: "pi_3Nq7", payloadIsSigned: true))
        // While a secret rolls, Stripe sends a v1 for each; any one matching is enough, and so is any configured secret.
        let rolling = "t=1795762800,v1=\(String(repeating: "0", count: 64)),v1=\(Self.stripeSignature)"
        #expect(try StripeWebhookVerifier(secrets: ["whsec_new", Self.stripeSecret]).verify(Self.stripe(rolling), now: Self.stripeSigned).eventID == "evt_1Nq7Xy2eZvKYlo2C")
    }

    @Test func stripeRefusesWrongSecretTamperingStalenessAndMissingParts() {
        let header = "t=1795762800,v1=\(Self.stripeSignature)"
        let now = Self.stripeSigned.adding(seconds: 10)
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: ["whsec_other"]).verify(Self.stripe(header), now: now) } == .invalidSignature)
        var tampered = Self.stripeBody
        tampered[tampered.count - 10] = UInt8(ascii: "X")
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: [Self.stripeSecret]).verify(Self.stripe(header, body: tampered), now: now) } == .invalidSignature)
        // The same delivery replayed six minutes later is refused (300 s tolerance), and a changed t breaks the signature.
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: [Self.stripeSecret]).verify(Self.stripe(header), now: Self.stripeSigned.adding(seconds: 301)) } == .staleTimestamp)
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: [Self.stripeSecret]).verify(Self.stripe("t=1795763100,v1=\(Self.stripeSignature)"), now: Self.stripeSigned.adding(seconds: 301)) } == .invalidSignature)
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: [Self.stripeSecret]).verify(Self.stripe(nil), now: now) } == .missingSignature)
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: [Self.stripeSecret]).verify(Self.stripe("v1=\(Self.stripeSignature)"), now: now) } == .missingSignature)
        #expect(Self.rejection { try StripeWebhookVerifier(secrets: []).verify(Self.stripe(header), now: now) } == .notConfigured)
    }

    // MARK: Mercado Pago

    static let mercadoPagoSecret = "mp_webhook_secret_5e4d"
    static let mercadoPagoSignature = "a370a0b0b60eae27d3c22cfbc51a99f5d9bc0a8fb6024bb53bba3f3ff41a66da"
    static let mercadoPagoRequestID = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"

    static func mercadoPago(signature: String = mercadoPagoSignature, dataID: String = "123456789", bodyID: String = "123456789") -> WebhookRequest {
        WebhookRequest(
            headers: ["x-signature": "ts=1795762800,v1=\(signature)", "X-Request-Id": mercadoPagoRequestID],
            query: ["data.id": dataID, "type": "payment"],
            body: Array(#"{"id":12345,"live_mode":false,"type":"payment","date_created":"2026-11-27T05:00:00.000-06:00","user_id":44444,"api_version":"v1","action":"payment.updated","data":{"id":"\#(bodyID)"}}"#.utf8)
        )
    }

    @Test func mercadoPagoAcceptsTheSignedManifest() throws {
        let event = try MercadoPagoWebhookVerifier(secret: Self.mercadoPagoSecret).verify(Self.mercadoPago(), now: Timestamp(millisecondsSince1970: 1_795_762_860_000))
        #expect(event == VerifiedWebhook(provider: .mercadopago, eventID: "12345", type: "payment.updated", objectID: "123456789", payloadIsSigned: false))
    }

    @Test func mercadoPagoRefusesWrongSecretOtherObjectsAndStaleness() {
        let now = Timestamp(millisecondsSince1970: 1_795_762_860_000)
        let verifier = MercadoPagoWebhookVerifier(secret: Self.mercadoPagoSecret)
        #expect(Self.rejection { try MercadoPagoWebhookVerifier(secret: "otro").verify(Self.mercadoPago(), now: now) } == .invalidSignature)
        // The signature covers the query's data.id: another id in the query, or a body about another payment, is refused.
        #expect(Self.rejection { try verifier.verify(Self.mercadoPago(dataID: "987654321", bodyID: "987654321"), now: now) } == .invalidSignature)
        #expect(Self.rejection { try verifier.verify(Self.mercadoPago(bodyID: "987654321"), now: now) } == .invalidSignature)
        #expect(Self.rejection { try verifier.verify(Self.mercadoPago(), now: now.adding(seconds: 3600)) } == .staleTimestamp)
        #expect(Self.rejection { try verifier.verify(WebhookRequest(headers: [:], query: ["data.id": "123456789"], body: Array("{}".utf8)), now: now) } == .missingSignature)
    }

    // MARK: Conekta

    static let conektaPublicKey = """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0hz6UbvOy+ETiM3Cua86
HmdrckXD1JyUqC6J6eW/QVsDLaRVo5Ls1XOOzD01c24wGdM/c9HzIvrqPZVnHEiL
lijsmaJyD8d1XkViJc3enK9yCrZoUGg7fVHZ4laYIQsYGVwWYme9BWtAYoyXI7xz
dY3wBknM6Q+IP7+uGdmY/SJK96sYfWjLiZkF3/gGHItqZpuK6qD8KgJlCkF9E4Yt
j1jAbkeYchGjboAEriAa5zNR8aq7FgX961QfFsLShzIYARZu0tDFw7HKSsb8mpaY
mlnRehkK5nrHiH+GopCuj5Jhk3mt967oliWKtnEkaKWdWycmxvNUf1T/agHDhPFg
LQIDAQAB
-----END PUBLIC KEY-----
"""
    static let conektaBody = Array(#"{"id":"evt_65a1b2c3","type":"order.paid","livemode":false,"data":{"object":{"id":"ord_2tUigJ8DgBhbp6w5D","object":"order","amount":150000,"currency":"MXN","payment_status":"paid"}}}"#.utf8)
    static let conektaDigest = "XFL7ixcEOYOwh/JvdwfNaxHb922JFsI59CLgdJzDRhJGrYMU27BgWhO8pfNuF18MSgCm95OG5SmrBo78PcWOg3QBR2z5GOz8iOMoHIuC6nASfKQbKSIkmLJAaPfkwLkZsLmhJzRXkAP10aGA9sPUYHaB231Y8osR5lxOz9Zq0RovTORbVStsARSeQp+69e8UpA04QU2TOpTJ+qDyWe3gr0E9pc38S3+FW21aEjb98aIHdz0S885tfX39b/+RilWfTSaywwI9hPjIMdhYmsZmW/aSBt1miYS2aiVcVHNe+JidFbfsXiBJC8baDodaGyHM4OMZsGP0Zr06DzMTUkfChg=="

    @Test func conektaAcceptsTheRSASignatureOfTheRawBody() throws {
        let verifier = try ConektaWebhookVerifier(publicKeysPEM: [Self.conektaPublicKey])
        let expected = VerifiedWebhook(provider: .conekta, eventID: "evt_65a1b2c3", type: "order.paid", objectID: "ord_2tUigJ8DgBhbp6w5D", payloadIsSigned: true)
        #expect(try verifier.verify(WebhookRequest(headers: ["Digest": Self.conektaDigest], body: Self.conektaBody), now: .now) == expected)
        #expect(try verifier.verify(WebhookRequest(headers: ["digest": "sha-256=" + Self.conektaDigest], body: Self.conektaBody), now: .now) == expected)
    }

    @Test func conektaRefusesTamperingAnotherKeyAndNoDigest() throws {
        let verifier = try ConektaWebhookVerifier(publicKeysPEM: [Self.conektaPublicKey])
        var tampered = Self.conektaBody
        tampered[tampered.count - 5] = UInt8(ascii: "X")
        #expect(Self.rejection { try verifier.verify(WebhookRequest(headers: ["digest": Self.conektaDigest], body: tampered), now: .now) } == .invalidSignature)
        var other = Array(Data(base64Encoded: Self.conektaDigest)!)
        other[0] ^= 0x01
        #expect(Self.rejection { try verifier.verify(WebhookRequest(headers: ["digest": Data(other).base64EncodedString()], body: Self.conektaBody), now: .now) } == .invalidSignature)
        #expect(Self.rejection { try verifier.verify(WebhookRequest(headers: [:], body: Self.conektaBody), now: .now) } == .missingSignature)
        #expect(Self.rejection { _ = try ConektaWebhookVerifier(publicKeysPEM: ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]) } == .notConfigured)
    }

    // MARK: Openpay

    static func openpay(_ credentials: String?, body: String) -> WebhookRequest {
        WebhookRequest(headers: credentials.map { ["Authorization": "Basic " + Data($0.utf8).base64EncodedString()] } ?? [:], body: Array(body.utf8))
    }

    @Test func openpayChecksItsCredentialsAndNamesEventsByTransactionAndStatus() throws {
        let verifier = OpenpayWebhookVerifier(user: "cartera", password: "s3creta-larga")
        let charge = #"{"type":"charge.succeeded","event_date":"2026-11-27T05:00:00-06:00","transaction":{"id":"trzjaozcik8msyqshka4","status":"completed","order_id":"pi_1","amount":1500.00}}"#
        #expect(try verifier.verify(Self.openpay("cartera:s3creta-larga", body: charge), now: .now)
            == VerifiedWebhook(provider: .openpay, eventID: "charge.succeeded:trzjaozcik8msyqshka4:completed", type: "charge.succeeded", objectID: "trzjaozcik8msyqshka4", payloadIsSigned: false))
        let verification = #"{"type":"verification","event_date":"2026-11-27T05:00:00-06:00","verification_code":"Gx5mK2pq"}"#
        #expect(try verifier.verify(Self.openpay("cartera:s3creta-larga", body: verification), now: .now).eventID == "verification:Gx5mK2pq")
        #expect(Self.rejection { try verifier.verify(Self.openpay("cartera:otra", body: charge), now: .now) } == .invalidSignature)
        #expect(Self.rejection { try verifier.verify(Self.openpay(nil, body: charge), now: .now) } == .missingSignature)
        #expect(Self.rejection { try verifier.verify(Self.openpay("cartera:s3creta-larga", body: "[1,2]"), now: .now) } == .malformed)
    }

    /// Why `body` was refused, or nil when it was not.
    static func rejection(_ body: () throws -> Any) -> WebhookRejection.Reason? {
        do {
            _ = try body()
            return nil
        } catch let rejection as WebhookRejection {
            return rejection.reason
        } catch {
            return nil
        }
    }
}
