import CarteraCore
import Integrations
import Lending

/// The connector of each configured payment gateway, each with its own HTTP client and circuit breaker.
public struct GatewayConnectors: Sendable {
    public let connectors: [GatewayProvider: any PaymentGateway]

    public init(_ connectors: [any PaymentGateway]) {
        var byProvider: [GatewayProvider: any PaymentGateway] = [:]
        for connector in connectors { byProvider[connector.provider] = connector }
        self.connectors = byProvider
    }

    /// Connectors for every provider with credentials.
    public init(settings: GatewayConnectorSettings, clock: @escaping @Sendable () -> Timestamp) {
        self.init(settings.credentials.compactMap { provider, credentials in Self.connector(provider, credentials, clock: clock) })
    }

    static func connector(_ provider: GatewayProvider, _ credentials: GatewayConnectorSettings.Credentials, clock: @escaping @Sendable () -> Timestamp) -> (any PaymentGateway)? {
        switch provider {
        case .stripe:
            StripeGateway(
                secretKey: credentials.secretKey,
                client: ProviderHTTPClient(provider: provider, baseURL: credentials.apiBase ?? StripeGateway.productionBaseURL), clock: clock
            )
        case .conekta, .openpay, .mercadopago, .paypal:
            nil
        }
    }

    public subscript(provider: GatewayProvider) -> (any PaymentGateway)? { connectors[provider] }

    /// The providers borrowers can pay through, in a stable order.
    public var providers: [GatewayProvider] { GatewayProvider.allCases.filter { connectors[$0] != nil } }
}

extension GatewayProvider {
    /// The money channel (and so the clearing account) of payments collected through this provider.
    var channel: MoneyChannel {
        switch self {
        case .stripe: .stripe
        case .conekta: .conekta
        case .openpay: .openpay
        case .mercadopago: .mercadoPago
        case .paypal: .paypal
        }
    }
}
