import CarteraCore
import Foundation
import Integrations
import NIOConcurrencyHelpers

/// The gateways in use: the environment's settings, over those administrators saved, made into connectors and webhook
/// verifiers — rebuilt whenever the saved settings change. A setting given in the environment wins over a saved one.
public final class GatewayRegistry: Sendable {
    let connectorSettings: GatewayConnectorSettings
    let webhookSettings: GatewayWebhookSettings
    public let store: GatewaySettingsStore?
    public let connectors: GatewayConnectors
    public let verifiers: WebhookVerifiers
    let clock: @Sendable () -> Timestamp
    /// The saved settings the connectors were last built from (nil: none read yet).
    private let applied = NIOLockedValueBox<[GatewayProvider: GatewaySettingsStore.Saved]?>(nil)

    init(configuration: AppConfiguration, store: GatewaySettingsStore?, clock: @escaping @Sendable () -> Timestamp) {
        connectorSettings = configuration.gateways
        webhookSettings = configuration.gatewayWebhooks
        self.store = store
        self.clock = clock
        connectors = GatewayConnectors(settings: configuration.gateways, clock: clock)
        verifiers = WebhookVerifiers(configuration.gatewayWebhooks.verifiers())
    }

    /// Where a provider's settings come from, for the administrator's page.
    public enum Source: Sendable, Equatable {
        case environment, saved, none
    }

    public func source(_ provider: GatewayProvider, saved: [GatewayProvider: GatewaySettingsStore.Saved]) -> Source {
        if connectorSettings.credentials[provider] != nil { return .environment }
        if saved[provider]?.secretKey != nil { return .saved }
        return .none
    }

    /// Reads the saved settings and, when they changed, rebuilds the connectors and verifiers (unchanged settings keep
    /// the connectors as they are, with their circuit breakers and tokens).
    public func reload() async throws {
        guard let store else { return }
        let saved = try await store.all()
        guard applied.withLockedValue({ current in
            guard current != saved else { return false }
            current = saved
            return true
        }) else { return }
        let (connectors, webhooks) = Self.merge(connectorSettings, webhookSettings, saved: saved)
        self.connectors.replace(with: GatewayConnectors.connectors(settings: connectors, clock: clock))
        verifiers.replace(with: webhooks.verifiers())
    }

    /// The environment's settings, completed with the saved ones where the environment says nothing.
    static func merge(
        _ environment: GatewayConnectorSettings, _ webhooks: GatewayWebhookSettings, saved: [GatewayProvider: GatewaySettingsStore.Saved]
    ) -> (GatewayConnectorSettings, GatewayWebhookSettings) {
        var connectors = environment
        var hooks = webhooks
        for (provider, entry) in saved {
            if connectors.credentials[provider] == nil, let key = entry.secretKey {
                connectors.credentials[provider] = .init(secretKey: key, apiBase: entry.apiBase, accountID: entry.accountID)
            }
            switch provider {
            case .stripe:
                if hooks.stripeSecrets.isEmpty, let secrets = entry.webhookSecret {
                    hooks.stripeSecrets = secrets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
            case .mercadopago:
                if hooks.mercadoPagoSecret == nil { hooks.mercadoPagoSecret = entry.webhookSecret }
            case .conekta:
                if hooks.conektaPublicKeyPEM == nil { hooks.conektaPublicKeyPEM = entry.webhookKey }
            case .openpay:
                if hooks.openpayUser == nil, hooks.openpayPassword == nil {
                    hooks.openpayUser = entry.webhookUser
                    hooks.openpayPassword = entry.webhookSecret
                }
            case .paypal:
                if hooks.payPalWebhookID == nil { hooks.payPalWebhookID = entry.webhookKey }
            }
        }
        return (connectors, hooks)
    }
}
