import Integrations
import NIOConcurrencyHelpers

/// What proves each provider's webhooks, replaced as a whole when an administrator changes the gateways' settings.
public final class WebhookVerifiers: Sendable {
    private let box: NIOLockedValueBox<[GatewayProvider: any WebhookVerifier]>

    public init(_ verifiers: [GatewayProvider: any WebhookVerifier]) {
        box = NIOLockedValueBox(verifiers)
    }

    public subscript(provider: GatewayProvider) -> (any WebhookVerifier)? { box.withLockedValue { $0[provider] } }

    public func replace(with verifiers: [GatewayProvider: any WebhookVerifier]) {
        box.withLockedValue { $0 = verifiers }
    }
}
