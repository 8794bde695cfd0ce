import CarteraCore
import Integrations

/// How Cartera reaches the lender's SPEI participant (STP): its API, the company and account orders leave from, the
/// key orders are signed with, and who may call the callbacks.
///
/// | Key | Environment variable | Meaning |
/// |---|---|---|
/// | `cartera.stp.api.base` | `CARTERA_STP_API_BASE` | base of the REST API, `…/speiws/rest` (default `https://prod.stpmex.com/speiws/rest`) |
/// | `cartera.stp.empresa` | `CARTERA_STP_EMPRESA` | the company STP knows the lender by (turns SPEI through STP on) |
/// | `cartera.stp.account` | `CARTERA_STP_ACCOUNT` | the lender's CLABE at STP (cuenta ordenante) |
/// | `cartera.stp.name` | `CARTERA_STP_NAME` | the ordering name (nombre ordenante) |
/// | `cartera.stp.rfc` | `CARTERA_STP_RFC` | the lender's RFC (optional) |
/// | `cartera.stp.private.key.file` | `CARTERA_STP_PRIVATE_KEY_FILE` | the company's RSA private key, PEM (secret) |
/// | `cartera.stp.callback.allow` | `CARTERA_STP_CALLBACK_ALLOW` | comma-separated addresses STP calls from (required; never this machine's) |
public struct STPSettings: Sendable {
    public var apiBase: @Sendable () -> String
    public var company: STPClient.Company
    public var privateKeyPEM: String
    /// Addresses whose callbacks are taken: STP does not sign them, so they are told apart by where they come from.
    public var callbackAllow: Set<String>

    public init(apiBase: @escaping @Sendable () -> String, company: STPClient.Company, privateKeyPEM: String, callbackAllow: Set<String>) {
        self.apiBase = apiBase
        self.company = company
        self.privateKeyPEM = privateKeyPEM
        self.callbackAllow = callbackAllow
    }
}
