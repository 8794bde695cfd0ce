import Configuration
import Integrations

/// How Cartera reaches each payment gateway's API: the secret key (and, per provider, the merchant or client id) and
/// the base URL (the provider's production URL unless set; the sandbox's in `--demo`). A provider without a key is not
/// offered to borrowers.
///
/// Environment: `CARTERA_<PROVIDER>_SECRET_KEY`, `CARTERA_<PROVIDER>_API_BASE`, and `CARTERA_OPENPAY_MERCHANT_ID`,
/// `CARTERA_PAYPAL_CLIENT_ID` (PROVIDER: STRIPE, CONEKTA, OPENPAY, MERCADOPAGO, PAYPAL).
public struct GatewayConnectorSettings: Sendable {
    public struct Credentials: Sendable {
        public var secretKey: String
        public var apiBase: String?
        /// Openpay's merchant id, PayPal's client id.
        public var accountID: String?

        public init(secretKey: String, apiBase: String? = nil, accountID: String? = nil) {
            self.secretKey = secretKey
            self.apiBase = apiBase
            self.accountID = accountID
        }
    }

    public var credentials: [GatewayProvider: Credentials] = [:]
    /// Set by `serve --demo`: every provider is reached at `<sandbox>/<provider>` on this process's own server, whose
    /// address is known once it listens.
    public var sandboxBase: (@Sendable () -> String)?

    public init() {}

    /// Reads `cartera.<provider>.secret.key`, `.api.base` and `.merchant.id` / `.client.id`.
    init(reader: ConfigReader) {
        for provider in GatewayProvider.allCases {
            guard let key = reader.string(forKey: ConfigKey("cartera.\(provider.rawValue).secret.key"), isSecret: true), !key.isEmpty else { continue }
            let account = reader.string(forKey: ConfigKey("cartera.\(provider.rawValue).merchant.id"))
                ?? reader.string(forKey: ConfigKey("cartera.\(provider.rawValue).client.id"))
            credentials[provider] = Credentials(secretKey: key, apiBase: reader.string(forKey: ConfigKey("cartera.\(provider.rawValue).api.base")), accountID: account)
        }
    }
}
