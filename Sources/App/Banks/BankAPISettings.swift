import CarteraCore
import Integrations

/// How Cartera reaches the lender's bank API (OAuth2 client credentials).
///
/// | Key | Environment variable | Meaning |
/// |---|---|---|
/// | `cartera.bank.api.base` | `CARTERA_BANK_API_BASE` | the API's base URL (turns the bank API on) |
/// | `cartera.bank.client.id` | `CARTERA_BANK_CLIENT_ID` | the OAuth2 client id the bank issued |
/// | `cartera.bank.client.secret` | `CARTERA_BANK_CLIENT_SECRET` | its secret |
/// | `cartera.bank.name` | `CARTERA_BANK_NAME` | the bank's name, for messages (default "El banco") |
public struct BankAPISettings: Sendable {
    public var apiBase: @Sendable () -> String
    public var clientID: String
    public var clientSecret: String
    public var name: String

    public init(apiBase: @escaping @Sendable () -> String, clientID: String, clientSecret: String, name: String) {
        self.apiBase = apiBase
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.name = name
    }

    /// The connector, with retries (250 ms doubling, 4 tries) and a circuit breaker (5 failures open it for 30 s).
    public func connector(clock: @escaping @Sendable () -> Timestamp = { .now }) -> RESTBankConnector {
        RESTBankConnector(
            bankName: name, http: ResilientHTTPClient(resolveBaseURL: apiBase, breaker: CircuitBreaker(clock: clock), timeout: .seconds(20)),
            clientID: clientID, clientSecret: clientSecret, clock: clock
        )
    }
}
