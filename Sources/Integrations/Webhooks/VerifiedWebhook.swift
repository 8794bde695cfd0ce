import CarteraCore

/// A webhook whose origin was proved, with what Cartera needs to store it once and act on it.
public struct VerifiedWebhook: Sendable, Equatable {
    public let provider: GatewayProvider
    /// The provider's id for the event: the same event delivered twice has the same id, so it is stored once.
    public let eventID: String
    /// The provider's event type (`payment_intent.succeeded`, `order.paid`, `charge.succeeded`, `payment.updated`…).
    public let type: String
    /// The object the event is about (payment intent, order, charge, payment), when the event names one.
    public let objectID: String?
    /// Whether the signature covers the payload itself. When only the sender is proved (Openpay's credentials,
    /// Mercado Pago's signed ids), the object must be retrieved from the provider before anything is posted.
    public let payloadIsSigned: Bool

    public init(provider: GatewayProvider, eventID: String, type: String, objectID: String?, payloadIsSigned: Bool) {
        self.provider = provider
        self.eventID = eventID
        self.type = type
        self.objectID = objectID
        self.payloadIsSigned = payloadIsSigned
    }
}

/// Proves that a webhook comes from its provider, exactly as the provider specifies, and reads its event.
public protocol WebhookVerifier: Sendable {
    var provider: GatewayProvider { get }
    /// Fetches what verifying needs from the provider, once (PayPal's certificate); nothing for most providers.
    func prepare(_ request: WebhookRequest) async throws(WebhookRejection)
    /// `now` is the receiving time, for the providers that sign a timestamp.
    func verify(_ request: WebhookRequest, now: Timestamp) throws(WebhookRejection) -> VerifiedWebhook
}

extension WebhookVerifier {
    public func prepare(_ request: WebhookRequest) async throws(WebhookRejection) {}
}
