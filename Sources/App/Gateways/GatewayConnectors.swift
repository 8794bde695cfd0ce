import CarteraCore
import Integrations
import Lending
import NIOConcurrencyHelpers

/// The connector of each configured payment gateway, each with its own HTTP client and circuit breaker. Replaced as a
/// whole when an administrator changes the gateways' settings.
public final class GatewayConnectors: Sendable {
    private let box: NIOLockedValueBox<[GatewayProvider: any PaymentGateway]>

    public init(_ connectors: [any PaymentGateway]) {
        box = NIOLockedValueBox(Self.byProvider(connectors))
    }

    /// Connectors for every provider with credentials.
    public convenience init(settings: GatewayConnectorSettings, clock: @escaping @Sendable () -> Timestamp) {
        self.init(Self.connectors(settings: settings, clock: clock))
    }

    /// Uses `connectors` from now on (calls under way finish with the ones they had).
    public func replace(with connectors: [any PaymentGateway]) {
        let fresh = Self.byProvider(connectors)
        box.withLockedValue { $0 = fresh }
    }

    static func byProvider(_ connectors: [any PaymentGateway]) -> [GatewayProvider: any PaymentGateway] {
        var byProvider: [GatewayProvider: any PaymentGateway] = [:]
        for connector in connectors { byProvider[connector.provider] = connector }
        return byProvider
    }

    static func connectors(settings: GatewayConnectorSettings, clock: @escaping @Sendable () -> Timestamp) -> [any PaymentGateway] {
        settings.credentials.compactMap { provider, credentials in
            let base: @Sendable () -> String
            if let sandbox = settings.sandboxBase {
                base = { sandbox() + "/" + provider.rawValue }
            } else {
                let url = credentials.apiBase ?? Self.productionBaseURL(provider)
                base = { url }
            }
            return Self.connector(provider, credentials, client: ProviderHTTPClient(provider: provider, resolveBaseURL: base), clock: clock)
        }
    }

    static func productionBaseURL(_ provider: GatewayProvider) -> String {
        switch provider {
        case .stripe: StripeGateway.productionBaseURL
        case .conekta: ConektaGateway.productionBaseURL
        case .openpay: OpenpayGateway.productionBaseURL
        case .mercadopago: MercadoPagoGateway.productionBaseURL
        case .paypal: PayPalGateway.productionBaseURL
        }
    }

    static func connector(
        _ provider: GatewayProvider, _ credentials: GatewayConnectorSettings.Credentials, client: ProviderHTTPClient, clock: @escaping @Sendable () -> Timestamp
    ) -> (any PaymentGateway)? {
        switch provider {
        case .stripe:
            StripeGateway(secretKey: credentials.secretKey, client: client, clock: clock)
        case .conekta:
            ConektaGateway(secretKey: credentials.secretKey, client: client)
        case .openpay:
            // Openpay's paths name the merchant: without its id there is no connector.
            credentials.accountID.map { OpenpayGateway(merchantID: $0, secretKey: credentials.secretKey, client: client) }
        case .mercadopago:
            MercadoPagoGateway(accessToken: credentials.secretKey, client: client)
        case .paypal:
            // PayPal's OAuth2 needs the client id with the secret.
            credentials.accountID.map { PayPalGateway(clientID: $0, secret: credentials.secretKey, client: client, clock: clock) }
        }
    }

    public subscript(provider: GatewayProvider) -> (any PaymentGateway)? { box.withLockedValue { $0[provider] } }

    /// The providers borrowers can pay through, in a stable order.
    public var providers: [GatewayProvider] {
        let connectors = box.withLockedValue { $0 }
        return GatewayProvider.allCases.filter { connectors[$0] != nil }
    }
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
