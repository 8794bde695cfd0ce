import CarteraCore
import Payments

/// What a verified webhook says about a payment, read by the provider's connector.
public struct GatewayEventReport: Sendable, Hashable {
    /// The provider's id of the payment (the id `charge` returned), which the event is about.
    public let chargeID: String
    /// Cartera's intent id, when the provider echoes it (metadata, order id): it finds the intent even before the
    /// answer to the charge was recorded.
    public let intentID: String?
    /// The outcome when the signed payload states it completely; nil when it must be asked of the provider (an
    /// unsigned payload, or a paid one whose fee only the provider's query carries).
    public let outcome: GatewayOutcome?
    /// When the money was paid, when the payload says.
    public let paidAt: Timestamp?

    public init(chargeID: String, intentID: String?, outcome: GatewayOutcome?, paidAt: Timestamp? = nil) {
        self.paidAt = paidAt
        self.chargeID = chargeID
        self.intentID = intentID
        self.outcome = outcome
    }
}
