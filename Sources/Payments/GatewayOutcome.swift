import CarteraCore

/// What a gateway says about a payment, from its answer to a request, a webhook, or the janitor's query — already
/// normalised by the provider's connector.
public enum GatewayOutcome: Sendable, Hashable {
    /// Accepted and waiting (a reference to be paid, an authentication, processing).
    case pending
    /// Paid: `amount` received (it may differ from what was asked, e.g. a partial SPEI transfer), `fee` kept by the
    /// gateway — nil when the report does not state it (a webhook's payload): it is asked of the gateway afterwards.
    case paid(amount: Money, fee: Money?)
    /// Declined or failed, with the provider's code and a message for people.
    case failed(code: String, message: String)
    case expired
    case canceled
    /// `total` refunded so far (the gateway reports the running total).
    case refunded(total: Money)
}
