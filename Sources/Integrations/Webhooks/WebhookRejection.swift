import CarteraCore

/// Why a webhook was refused (answered 4xx and written to the audit log); nothing from it is stored or acted on.
public struct WebhookRejection: CarteraError, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// The provider's signature or credentials are not there.
        case missingSignature = "webhook_signature_missing"
        /// The signature or credentials do not match: a wrong secret, or a body changed on the way.
        case invalidSignature = "webhook_signature_invalid"
        /// Signed too long ago (or too far ahead): a replay, or a clock far off.
        case staleTimestamp = "webhook_timestamp_stale"
        /// Authentic, but not an event Cartera can read.
        case malformed = "webhook_malformed"
        /// Cartera has no secret or key for this provider yet.
        case notConfigured = "webhook_not_configured"
    }

    public let reason: Reason
    public let message: String
    public var code: String { reason.rawValue }

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
