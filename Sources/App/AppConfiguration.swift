import CarteraCore
import Configuration
import Foundation
import Integrations
import Logging
import Store

/// Everything Cartera reads from its environment, in one place.
///
/// Sources, highest priority first: command-line flags, environment variables, defaults. Keys:
///
/// | key | environment variable | flag | type | default | secret |
/// |---|---|---|---|---|---|
/// | `cartera.database.url` | `CARTERA_DATABASE_URL` | `--database-url` | URL | `sqlite://./cartera.sqlite` | yes |
/// | `cartera.host` | `CARTERA_HOST` | `--host` | host name or address | `127.0.0.1` | no |
/// | `cartera.port` | `CARTERA_PORT` | `--port` | 0–65535 (0 = any free port) | `8080` | no |
/// | `cartera.log.level` | `CARTERA_LOG_LEVEL` | `--log-level` | trace, debug, info, notice, warning, error, critical | `info` | no |
/// | `cartera.signing.key.file` | `CARTERA_SIGNING_KEY_FILE` | — | path to an ES256 (P-256) private key in PEM | generated and stored encrypted | no (the file is) |
/// | `cartera.trusted.proxies` | `CARTERA_TRUSTED_PROXIES` | — | comma-separated IP addresses of TLS-terminating proxies | none | no |
/// | `cartera.cookies.insecure` | `CARTERA_INSECURE_COOKIES` | `--insecure-cookies` | true, false | `false` | no |
/// | `cartera.session.idle.minutes` | `CARTERA_SESSION_IDLE_MINUTES` | — | 1–1440 | `30` | no |
/// | `cartera.session.absolute.hours` | `CARTERA_SESSION_ABSOLUTE_HOURS` | — | 1–72 | `12` | no |
/// | `cartera.spei.catalog` | `CARTERA_SPEI_CATALOG` | `--spei-catalog` | path to a CSV `clabe_prefix,spei_code,name` | the catalog shipped with Cartera | no |
/// | `cartera.spei.clabe.prefix` | `CARTERA_SPEI_CLABE_PREFIX` | — | 6–14 digits the SPEI participant assigned the lender (STP: `646180` + company digits): each loan gets a CLABE of it | none (no CLABE per loan; `646180` + `9999` in `--demo`) | no |
/// | `cartera.stripe.webhook.secret` | `CARTERA_STRIPE_WEBHOOK_SECRET` | — | the endpoint's signing secrets `whsec_…`, comma-separated while one rolls | none (Stripe webhooks refused) | yes |
/// | `cartera.mercadopago.webhook.secret` | `CARTERA_MERCADOPAGO_WEBHOOK_SECRET` | — | the webhooks' secret key | none | yes |
/// | `cartera.conekta.webhook.public.key.file` | `CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE` | — | path to the webhook key's public half (PEM) | none | no |
/// | `cartera.openpay.webhook.user` | `CARTERA_OPENPAY_WEBHOOK_USER` | — | the user registered with the webhook | none | no |
/// | `cartera.openpay.webhook.password` | `CARTERA_OPENPAY_WEBHOOK_PASSWORD` | — | its password | none | yes |
/// | `cartera.paypal.webhook.id` | `CARTERA_PAYPAL_WEBHOOK_ID` | — | the webhook's id in PayPal's dashboard | none (PayPal webhooks refused) | no |
/// | `cartera.paypal.cert.url.prefix` | `CARTERA_PAYPAL_CERT_URL_PREFIX` | — | where PayPal's signing certificates may come from | PayPal's API hosts | no |
/// | `cartera.<provider>.secret.key` | `CARTERA_STRIPE_SECRET_KEY`, `…_CONEKTA_…`, `…_OPENPAY_…`, `…_MERCADOPAGO_…`, `…_PAYPAL_…` | — | the provider's secret API key (PayPal: client secret) | none (provider not offered) | yes |
/// | `cartera.stp.*` | `CARTERA_STP_EMPRESA`, `…_ACCOUNT`, `…_NAME`, `…_RFC`, `…_PRIVATE_KEY_FILE`, `…_API_BASE`, `…_CALLBACK_ALLOW` | — | SPEI through STP (see `STPSettings`) | none (no SPEI orders) | the key file is |
/// | `cartera.circulo.*` | `CARTERA_CIRCULO_API_KEY`, `…_USERNAME`, `…_PASSWORD`, `…_PRIVATE_KEY_FILE`, `…_API_BASE` | — | credit reports from Círculo de Crédito (see `CirculoClient.Settings`); the key is the lender's P-256 key whose public half Círculo holds | none (no bureau queries; `--demo`: the Círculo sandbox) | the key, API key and password are |
/// | `cartera.bank.*` | `CARTERA_BANK_API_BASE`, `…_CLIENT_ID`, `…_CLIENT_SECRET`, `…_NAME` | — | the bank's API, OAuth2 client credentials (see `BankAPISettings`) | none (statements by file only) | the secret is |
/// | `cartera.twilio.*`, `cartera.whatsapp.*`, `cartera.smtp.*` | `CARTERA_TWILIO_ACCOUNT_SID`, `…_AUTH_TOKEN`, `…_FROM`; `CARTERA_WHATSAPP_PHONE_NUMBER_ID`, `…_ACCESS_TOKEN`, `…_APP_SECRET`, `…_VERIFY_TOKEN`; `CARTERA_SMTP_HOST`, `…_PORT`, `…_SECURITY`, `…_USERNAME`, `…_PASSWORD`, `…_FROM`, `…_CA_FILE` | — | collection messages' providers (see `MessagingSettings`) | none (that channel's messages wait) | tokens, secrets and passwords are |
/// | `cartera.collections.phone` | `CARTERA_COLLECTIONS_PHONE` | — | the number collection messages give for questions | none (messages that need it are not written) | no |
/// | `cartera.<provider>.api.base` | `CARTERA_STRIPE_API_BASE`, … | — | the API's base URL | the provider's production URL | no |
/// | `cartera.openpay.merchant.id`, `cartera.paypal.client.id` | `CARTERA_OPENPAY_MERCHANT_ID`, `CARTERA_PAYPAL_CLIENT_ID` | — | merchant / client id | none | no |
///
/// The database URL is secret because it may carry a password: it is never logged; `databaseURL.description` shows it
/// with the password replaced by `***`.
public struct AppConfiguration: Sendable {
    public var databaseURL: DatabaseURL
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// An updated SPEI participant catalog, when the lender keeps one; `nil` uses the bundled copy.
    public var speiCatalogPath: String?
    /// The lender's range of CLABEs, one per loan; nil hands none out.
    public var virtualCLABEs: VirtualCLABERange?
    /// Addresses of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    public var trustedProxies: Set<String> = []
    /// An ES256 private key (PEM file) to sign access tokens with, instead of the generated one.
    public var signingKeyPath: String?
    /// Send back-office cookies without `Secure` (only for a plain-HTTP installation reached by a name other than
    /// localhost; browsers accept `Secure` cookies from `http://localhost`).
    public var insecureCookies = false
    /// A back-office session ends after this many minutes without requests.
    public var sessionIdleMinutes: Int64 = 30
    /// A back-office session ends this many hours after sign-in.
    public var sessionAbsoluteHours: Int64 = 12
    /// What proves each payment gateway's webhooks (secrets, keys, credentials).
    public var gatewayWebhooks = GatewayWebhookSettings()
    /// How to reach each payment gateway's API (keys and base URLs).
    public var gateways = GatewayConnectorSettings()
    /// The address borrowers reach Cartera at (`https://cartera.financiera.mx`), where a gateway's card page sends them
    /// back; without it, the address of the borrower's own request.
    public var publicURL: String?
    /// SPEI through the lender's participant (STP); nil when not configured (see `STPSettings` for the settings).
    public var stp: STPSettings?
    /// Círculo de Crédito's report API; nil when not configured (no bureau queries).
    public var circulo: CirculoClient.Settings?
    /// The lender's bank API; nil when not configured (see `BankAPISettings`).
    public var bankAPI: BankAPISettings?
    /// SMS, WhatsApp and e-mail providers for collection messages.
    public var messaging = MessagingSettings()
    /// Whether `serve` sends scheduled collection messages in the background (tests send them themselves).
    public var scheduledMessages = true
    /// Whether `serve` closes each business day on its own schedule (`EndOfDayCloseService`); off, days are closed with
    /// `cartera close-day` (for example from the lender's own scheduler).
    public var scheduledClose = true
    /// `serve --demo`: serve every gateway's sandbox under `/sandbox` and point the connectors and webhooks at it.
    public var demoSandbox = false

    public static let defaultPort = 8080
    public static let defaultHost = "127.0.0.1"

    public init(databaseURL: DatabaseURL, host: String = defaultHost, port: Int = defaultPort, logLevel: Logger.Level = .info) {
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.logLevel = logLevel
    }

    /// Reads and validates the configuration; throws `ConfigurationError` with a message that names the setting.
    public init(reader: ConfigReader) throws {
        let urlText = reader.string(forKey: "cartera.database.url", isSecret: true) ?? DatabaseURL.defaultValue
        databaseURL = try DatabaseURL(urlText)

        host = reader.string(forKey: "cartera.host") ?? Self.defaultHost
        guard !host.isEmpty else { throw ConfigurationError.invalid(setting: "CARTERA_HOST", value: host, expected: "un nombre de host o una dirección IP") }

        if let portText = reader.string(forKey: "cartera.port") {
            guard let port = Int(portText), (0...65535).contains(port) else {
                throw ConfigurationError.invalid(setting: "CARTERA_PORT", value: portText, expected: "un número de puerto entre 0 y 65535")
            }
            self.port = port
        } else {
            port = Self.defaultPort
        }

        if let levelText = reader.string(forKey: "cartera.log.level") {
            guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
                throw ConfigurationError.invalid(
                    setting: "CARTERA_LOG_LEVEL",
                    value: levelText,
                    expected: "trace, debug, info, notice, warning, error o critical"
                )
            }
            logLevel = level
        } else {
            logLevel = .info
        }
        speiCatalogPath = reader.string(forKey: "cartera.spei.catalog")
        if let prefix = reader.string(forKey: "cartera.spei.clabe.prefix"), !prefix.isEmpty {
            do {
                virtualCLABEs = try VirtualCLABERange(prefix: prefix, catalog: try bankCatalog())
            } catch let refusal as VirtualCLABERange.Refusal {
                throw ConfigurationError.invalid(setting: "CARTERA_SPEI_CLABE_PREFIX", value: prefix, expected: "de 6 a 14 dígitos que empiecen con un banco participante de SPEI (\(refusal.code))")
            }
        }
        if let text = reader.string(forKey: "cartera.public.url")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.query == nil else {
                throw ConfigurationError.invalid(setting: "CARTERA_PUBLIC_URL", value: text, expected: "una dirección http(s) sin parámetros, como https://cartera.financiera.mx")
            }
            publicURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        signingKeyPath = reader.string(forKey: "cartera.signing.key.file")
        trustedProxies = Set((reader.string(forKey: "cartera.trusted.proxies") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if let text = reader.string(forKey: "cartera.cookies.insecure") {
            guard let value = Bool(text.lowercased()) else {
                throw ConfigurationError.invalid(setting: "CARTERA_INSECURE_COOKIES", value: text, expected: "true o false")
            }
            insecureCookies = value
        }
        if let text = reader.string(forKey: "cartera.close.schedule") {
            guard let value = Bool(text.lowercased()) else {
                throw ConfigurationError.invalid(setting: "CARTERA_CLOSE_SCHEDULE", value: text, expected: "true o false")
            }
            scheduledClose = value
        }
        sessionIdleMinutes = try Self.integer(reader, "cartera.session.idle.minutes", "CARTERA_SESSION_IDLE_MINUTES", in: 1...1440) ?? 30
        sessionAbsoluteHours = try Self.integer(reader, "cartera.session.absolute.hours", "CARTERA_SESSION_ABSOLUTE_HOURS", in: 1...72) ?? 12
        gatewayWebhooks.stripeSecrets = (reader.string(forKey: "cartera.stripe.webhook.secret", isSecret: true) ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        gatewayWebhooks.mercadoPagoSecret = reader.string(forKey: "cartera.mercadopago.webhook.secret", isSecret: true)
        if let path = reader.string(forKey: "cartera.conekta.webhook.public.key.file") {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError.invalid(setting: "CARTERA_CONEKTA_WEBHOOK_PUBLIC_KEY_FILE", value: path, expected: "la ruta de un archivo PEM legible")
            }
            gatewayWebhooks.conektaPublicKeyPEM = pem
        }
        gatewayWebhooks.openpayUser = reader.string(forKey: "cartera.openpay.webhook.user")
        gatewayWebhooks.openpayPassword = reader.string(forKey: "cartera.openpay.webhook.password", isSecret: true)
        gatewayWebhooks.payPalWebhookID = reader.string(forKey: "cartera.paypal.webhook.id")
        if let prefix = reader.string(forKey: "cartera.paypal.cert.url.prefix"), !prefix.isEmpty {
            gatewayWebhooks.payPalCertificatePrefixes = [prefix]
        }
        try gatewayWebhooks.validate()
        gateways = GatewayConnectorSettings(reader: reader)
        stp = try Self.stpSettings(reader)
        circulo = try Self.circuloSettings(reader)
        messaging = try MessagingSettings(reader: reader)
        if let base = reader.string(forKey: "cartera.bank.api.base")?.trimmingCharacters(in: .whitespaces), !base.isEmpty {
            guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
                throw ConfigurationError.invalid(setting: "CARTERA_BANK_API_BASE", value: base, expected: "una dirección http(s)")
            }
            guard let id = reader.string(forKey: "cartera.bank.client.id"), !id.isEmpty,
                  let secret = reader.string(forKey: "cartera.bank.client.secret", isSecret: true), !secret.isEmpty
            else {
                throw ConfigurationError.invalid(setting: "CARTERA_BANK_CLIENT_ID", value: "", expected: "el client id y el secreto (CARTERA_BANK_CLIENT_SECRET) que dio el banco")
            }
            bankAPI = BankAPISettings(apiBase: { base }, clientID: id, clientSecret: secret, name: reader.string(forKey: "cartera.bank.name") ?? "El banco")
        }
    }

    /// Círculo de Crédito's settings, when `CARTERA_CIRCULO_API_KEY` is set; every other one is then checked.
    static func circuloSettings(_ reader: ConfigReader) throws -> CirculoClient.Settings? {
        guard let apiKey = reader.string(forKey: "cartera.circulo.api.key")?.trimmingCharacters(in: .whitespaces), !apiKey.isEmpty else { return nil }
        let username = reader.string(forKey: "cartera.circulo.username") ?? ""
        let password = reader.string(forKey: "cartera.circulo.password") ?? ""
        guard !username.isEmpty, !password.isEmpty else {
            throw ConfigurationError.invalid(setting: "CARTERA_CIRCULO_USERNAME", value: username, expected: "el usuario y la contraseña (CARTERA_CIRCULO_PASSWORD) que Círculo asignó")
        }
        let path = reader.string(forKey: "cartera.circulo.private.key.file") ?? ""
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8), let signer = try? CirculoSigner(privateKeyPEM: pem) else {
            throw ConfigurationError.invalid(setting: "CARTERA_CIRCULO_PRIVATE_KEY_FILE", value: path, expected: "la ruta de la llave privada P-256 (PEM) cuya llave pública registró Círculo")
        }
        let base = reader.string(forKey: "cartera.circulo.api.base") ?? CirculoClient.productionBase
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
            throw ConfigurationError.invalid(setting: "CARTERA_CIRCULO_API_BASE", value: base, expected: "una dirección http(s) como \(CirculoClient.productionBase)")
        }
        return CirculoClient.Settings(baseURL: { base }, apiKey: apiKey, username: username, password: password, signer: signer)
    }

    /// The STP settings, when `CARTERA_STP_EMPRESA` is set; every other one is then checked.
    static func stpSettings(_ reader: ConfigReader) throws -> STPSettings? {
        guard let empresa = reader.string(forKey: "cartera.stp.empresa")?.trimmingCharacters(in: .whitespaces), !empresa.isEmpty else { return nil }
        let account = reader.string(forKey: "cartera.stp.account") ?? ""
        guard CLABE.validate(account).isValid else {
            throw ConfigurationError.invalid(setting: "CARTERA_STP_ACCOUNT", value: account, expected: "la CLABE de 18 dígitos de la financiera en STP")
        }
        let path = reader.string(forKey: "cartera.stp.private.key.file") ?? ""
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8), (try? STPSigner(privateKeyPEM: pem)) != nil else {
            throw ConfigurationError.invalid(setting: "CARTERA_STP_PRIVATE_KEY_FILE", value: path, expected: "la ruta de la llave privada RSA de la empresa en PEM")
        }
        let base = reader.string(forKey: "cartera.stp.api.base") ?? "https://prod.stpmex.com/speiws/rest"
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
            throw ConfigurationError.invalid(setting: "CARTERA_STP_API_BASE", value: base, expected: "una dirección http(s) como https://prod.stpmex.com/speiws/rest")
        }
        // STP does not sign its callbacks: only the addresses it calls from are heard, and they must be named. This
        // machine is never one of them — behind a proxy on it every request would look local; name the proxy in
        // CARTERA_TRUSTED_PROXIES so the caller's own address is checked.
        let allowText = reader.string(forKey: "cartera.stp.callback.allow") ?? ""
        let allow = allowText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !allow.isEmpty, !allow.contains(where: { $0 == "::1" || $0.hasPrefix("127.") || $0 == "localhost" || $0 == "0.0.0.0" || $0 == "::" }) else {
            throw ConfigurationError.invalid(
                setting: "CARTERA_STP_CALLBACK_ALLOW", value: allowText,
                expected: "las direcciones IP desde las que STP envía sus avisos, separadas por comas (nunca las de esta máquina; un proxy local va en CARTERA_TRUSTED_PROXIES)"
            )
        }
        let company = STPClient.Company(
            empresa: empresa, cuentaOrdenante: account, nombreOrdenante: reader.string(forKey: "cartera.stp.name") ?? empresa,
            rfcCurpOrdenante: reader.string(forKey: "cartera.stp.rfc")
        )
        return STPSettings(apiBase: { base }, company: company, privateKeyPEM: pem, callbackAllow: Set(allow))
    }

    static func integer(_ reader: ConfigReader, _ key: String, _ variable: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw ConfigurationError.invalid(setting: variable, value: text, expected: "un número entero entre \(range.lowerBound) y \(range.upperBound)")
        }
        return value
    }

    /// The configured signing key's PEM text, or nil when none is configured.
    public func signingKeyPEM() throws -> String? {
        guard let path = signingKeyPath else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError.invalid(setting: "CARTERA_SIGNING_KEY_FILE", value: path, expected: "la ruta de un archivo PEM legible")
        }
        return text
    }

    /// The SPEI participant catalog to use: the lender's file when configured, otherwise the bundled copy.
    public func bankCatalog() throws -> BankCatalog {
        guard let path = speiCatalogPath else { return .bundled }
        do {
            return try BankCatalog(contentsOf: URL(fileURLWithPath: path))
        } catch let error as BankCatalog.LoadError {
            throw error
        } catch {
            throw ConfigurationError.invalid(setting: "CARTERA_SPEI_CATALOG", value: path, expected: "la ruta de un archivo CSV legible")
        }
    }

    /// The standard provider hierarchy: `overrides` (from parsed flags) > environment variables.
    ///
    /// - Parameters:
    ///   - overrides: values given on the command line, keyed like `cartera.port`.
    ///   - environment: the process environment (injectable for tests).
    public static func reader(overrides: [String: String], environment: [String: String]) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides {
            values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] =
                ConfigValue(.string(value), isSecret: key == "cartera.database.url")
        }
        return ConfigReader(providers: [
            InMemoryProvider(name: "arguments", values: values),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["CARTERA_DATABASE_URL"])
            ),
        ])
    }
}

/// A setting has a value Cartera cannot use.
public enum ConfigurationError: CarteraError, Equatable {
    case invalid(setting: String, value: String, expected: String)

    public var code: String { "configuration_invalid" }

    public var message: String {
        switch self {
        case .invalid(let setting, let value, let expected):
            "El valor «\(value)» de \(setting) no es válido: se espera \(expected). Corrija la variable de entorno o la opción de la línea de comandos."
        }
    }
}
