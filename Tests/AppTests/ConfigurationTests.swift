import App
import Integrations
import CarteraCore
import Foundation
import Logging
import Store
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("defaults")
    func defaults() throws {
        let configuration = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: [:]))
        #expect(configuration.databaseURL == .sqlite(path: "./cartera.sqlite"))
        #expect(configuration.port == 8080)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.logLevel == .info)
        #expect(configuration.speiCatalogPath == nil)
    }

    @Test("environment overrides defaults; flags override the environment")
    func precedence() throws {
        let environment = [
            "CARTERA_DATABASE_URL": "postgres://u:p@localhost:5432/cartera",
            "CARTERA_PORT": "9000",
            "CARTERA_LOG_LEVEL": "debug",
        ]
        let fromEnvironment = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: environment))
        #expect(fromEnvironment.databaseURL == .postgres(url: "postgres://u:p@localhost:5432/cartera"))
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.logLevel == .debug)

        let fromFlags = try AppConfiguration(
            reader: AppConfiguration.reader(overrides: ["cartera.port": "9100", "cartera.database.url": "sqlite://./x.sqlite"], environment: environment)
        )
        #expect(fromFlags.port == 9100)
        #expect(fromFlags.databaseURL == .sqlite(path: "./x.sqlite"))
        #expect(fromFlags.logLevel == .debug)
    }

    @Test("the loan CLABE range is read from CARTERA_SPEI_CLABE_PREFIX")
    func clabePrefix() throws {
        let configuration = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: ["CARTERA_SPEI_CLABE_PREFIX": "6461801234"]))
        #expect(configuration.virtualCLABEs?.prefix == "6461801234" && configuration.virtualCLABEs?.capacity == 10_000_000)
        #expect(try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: [:])).virtualCLABEs == nil)
    }

    @Test("bad values are refused with the name of the setting", arguments: [
        ("CARTERA_PORT", "eighty"), ("CARTERA_PORT", "70000"), ("CARTERA_LOG_LEVEL", "loud"), ("CARTERA_SPEI_CLABE_PREFIX", "64618"),
        ("CARTERA_SPEI_CLABE_PREFIX", "999180123"),
    ])
    func badValues(variable: String, value: String) {
        do {
            _ = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: [variable: value]))
            Issue.record("accepted \(variable)=\(value)")
        } catch let error as ConfigurationError {
            #expect(error.message.contains(variable))
            #expect(error.message.contains(value))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a malformed database URL is refused without revealing its password")
    func badURL() {
        do {
            _ = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: ["CARTERA_DATABASE_URL": "postgres://u:hunter2@"]))
            Issue.record("accepted a malformed URL")
        } catch let error as StoreError {
            #expect(error.code == "database_url_invalid")
            #expect(!error.message.contains("hunter2"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite("Configuration: gateway webhooks")
struct GatewayWebhookConfigurationTests {
    @Test func readsSecretsAndRefusesAKeyThatIsNotOne() throws {
        let configuration = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: [
            "CARTERA_STRIPE_WEBHOOK_SECRET": "whsec_old, whsec_new",
            "CARTERA_MERCADOPAGO_WEBHOOK_SECRET": "mp-secret",
            "CARTERA_OPENPAY_WEBHOOK_USER": "cartera",
            "CARTERA_OPENPAY_WEBHOOK_PASSWORD": "s3creta",
        ]))
        #expect(configuration.gatewayWebhooks.stripeSecrets == ["whsec_old", "whsec_new"])
        #expect(configuration.gatewayWebhooks.mercadoPagoSecret == "mp-secret")
        #expect(configuration.gatewayWebhooks.openpayUser == "cartera" && configuration.gatewayWebhooks.openpayPassword == "s3creta")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("conekta-\(UUID().uuidString).pem").path
        try "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: ["CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE": path]))
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: ["CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE": path + ".missing"]))
        }
    }

    @Test("SPEI through STP: the key, the account and the callers' addresses are checked; this machine is never a caller")
    func stpSettings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stp-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("key.pem").path
        try STPSigner.generated().privateKeyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let account = CLABE.make(bankPrefix: "646", plaza: "180", account: "12340000000")!
        var environment = [
            "CARTERA_STP_EMPRESA": "FINANCIERA", "CARTERA_STP_ACCOUNT": account, "CARTERA_STP_PRIVATE_KEY_FILE": keyFile,
            "CARTERA_STP_CALLBACK_ALLOW": "200.57.1.10, 200.57.1.11",
        ]
        let configured = try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: environment))
        #expect(configured.stp?.callbackAllow == ["200.57.1.10", "200.57.1.11"] && configured.stp?.company.cuentaOrdenante == account)
        #expect(configured.stp?.apiBase() == "https://prod.stpmex.com/speiws/rest")
        for (setting, value) in [
            ("CARTERA_STP_CALLBACK_ALLOW", ""), ("CARTERA_STP_CALLBACK_ALLOW", "127.0.0.1"), ("CARTERA_STP_CALLBACK_ALLOW", "200.57.1.10,::1"),
            ("CARTERA_STP_ACCOUNT", "646180123400000001"), ("CARTERA_STP_PRIVATE_KEY_FILE", folder.appendingPathComponent("no-existe.pem").path),
        ] {
            var wrong = environment
            wrong[setting] = value
            let error = #expect(throws: ConfigurationError.self) { try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: wrong)) }
            #expect(error?.message.contains(setting) == true, "\(setting)=\(value)")
        }
        environment["CARTERA_STP_EMPRESA"] = nil
        #expect(try AppConfiguration(reader: AppConfiguration.reader(overrides: [:], environment: environment)).stp == nil)
    }
}
