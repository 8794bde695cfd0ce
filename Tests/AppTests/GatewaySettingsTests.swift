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
import SQLKit
import Store
import Testing

@Suite("Gateway settings: saved by an administrator, encrypted at rest, applied at once, under the environment")
struct GatewaySettingsTests {
    @Test("The administrator saves Stripe's keys in the back office: stored encrypted, never shown again, and Stripe's webhooks are verified with them at once", arguments: TestEngine.available)
    func savedInTheBackOffice(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let body = WebhookRoutesTests.event("evt_SETTINGS_1")
            func deliver() async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/webhooks/stripe", method: .post, headers: WebhookRoutesTests.signed(body, at: clock.read(), secret: "whsec_saved_in_office"),
                    body: ByteBuffer(string: body)
                ).status
            }
            #expect(try await deliver() == .serviceUnavailable)
            let admin = TestBrowser(client)
            try await admin.signIn("u.administrador")
            let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            #expect(try await admin.get("/pasarelas").text.contains("Sin configurar"))
            try await admin.get("/pasarelas/stripe")
            let refused = try await admin.post("/pasarelas/stripe", ["llave": "sk_test_office", "api": "http://example.com", "secreto": "whsec_saved_in_office"])
            #expect(refused.status == .unprocessableContent && refused.text.contains("La URL de la API debe ser https://"))
            try await admin.get("/pasarelas/stripe")
            let saved = try await admin.post("/pasarelas/stripe", ["llave": "sk_test_office", "api": "https://api.stripe.com", "secreto": "whsec_saved_in_office"])
            #expect(saved.status == .seeOther)
            let list = try await admin.get("/pasarelas")
            #expect(list.text.contains("Configurada aquí") && !list.text.contains("sk_test_office") && !list.text.contains("whsec_saved_in_office"))
            #expect(!(try await admin.get("/pasarelas/stripe").text.contains("sk_test_office")))
            // At rest: ciphertext only.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT secret_key, webhook_secret FROM gateway_settings WHERE provider = 'stripe'").first()
            }
            let storedKey = try stored?.decode(column: "secret_key", as: String.self) ?? ""
            let storedSecret = try stored?.decode(column: "webhook_secret", as: String.self) ?? ""
            #expect(!storedKey.isEmpty && !storedKey.contains("sk_test_office") && !storedSecret.contains("whsec_saved_in_office"))
            // Applied at once: Stripe's webhooks are now verified with the saved secret.
            #expect(try await deliver() == .ok)
            // An empty key field keeps the saved key.
            try await admin.get("/pasarelas/stripe")
            #expect(try await admin.post("/pasarelas/stripe", ["llave": "", "api": "", "secreto": ""]).status == .seeOther)
            let after = try await GatewaySettingsStore(database: database, keys: LiveKeys(TestKeys.ring)).all()
            #expect(after[.stripe]?.secretKey == "sk_test_office" && after[.stripe]?.webhookSecret == "whsec_saved_in_office" && after[.stripe]?.apiBase == nil)
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'gateway.settings'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 2)
            // Only the administrator sets gateways up.
            let analyst = TestBrowser(client)
            try await analyst.signIn("u.analista.credito")
            #expect(try await analyst.get("/pasarelas").status == .forbidden)
        }
    }

    @Test("What the environment says wins; saved settings fill what it leaves out")
    func environmentFirst() {
        var environment = GatewayConnectorSettings()
        environment.credentials[.stripe] = .init(secretKey: "sk_live_env")
        var webhooks = GatewayWebhookSettings()
        webhooks.stripeSecrets = ["whsec_env"]
        let saved: [GatewayProvider: GatewaySettingsStore.Saved] = [
            .stripe: .init(secretKey: "sk_saved", webhookSecret: "whsec_saved"),
            .openpay: .init(secretKey: "sk_op", accountID: "m123", webhookSecret: "pw", webhookUser: "cartera"),
            .conekta: .init(secretKey: "key_c"),
        ]
        let (connectors, hooks) = GatewayRegistry.merge(environment, webhooks, saved: saved)
        #expect(connectors.credentials[.stripe]?.secretKey == "sk_live_env" && hooks.stripeSecrets == ["whsec_env"])
        #expect(connectors.credentials[.openpay]?.secretKey == "sk_op" && connectors.credentials[.openpay]?.accountID == "m123")
        #expect(hooks.openpayUser == "cartera" && hooks.openpayPassword == "pw")
        #expect(connectors.credentials[.conekta]?.secretKey == "key_c" && hooks.conektaPublicKeyPEM == nil)
        #expect(connectors.credentials[.paypal] == nil)
    }

    @Test("Key rotation re-encrypts the gateways' saved secrets under the new key", arguments: TestEngine.available)
    func rotation(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            var change = GatewaySettingsStore.Change()
            change.values.secretKey = "sk_test_rotate"
            change.values.webhookSecret = "whsec_rotate"
            try await GatewaySettingsStore(database: database, keys: LiveKeys(TestKeys.ring)).save(.stripe, change, actor: .commandLine)
            let rotated = try TestKeys.ring.addingKey(id: "k-rotated")
            let moved = try await KeyRotation.reencrypt(database: database, ring: rotated)
            #expect(moved["gateway_settings.secret_key"] == 1 && moved["gateway_settings.webhook_secret"] == 1)
            let saved = try await GatewaySettingsStore(database: database, keys: LiveKeys(rotated)).all()
            #expect(saved[.stripe]?.secretKey == "sk_test_rotate" && saved[.stripe]?.webhookSecret == "whsec_rotate")
        }
    }
}
