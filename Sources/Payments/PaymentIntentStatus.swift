/// Where a payment requested through a gateway stands.
///
/// `created → pending → succeeded | failed | expired | canceled`; a succeeded payment may then be
/// `partiallyRefunded` and `refunded`. Failed, expired, canceled and refunded are final.
public enum PaymentIntentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded, not yet sent to the gateway.
    case created
    /// Sent: waiting for the borrower (a cash or SPEI reference to pay, a card needing authentication) or for the gateway.
    case pending
    case succeeded
    case failed
    /// The reference's time ran out unpaid.
    case expired
    case canceled
    case partiallyRefunded = "partially_refunded"
    case refunded

    /// No later report changes it (except refunds of a succeeded payment).
    public var isFinal: Bool {
        switch self {
        case .failed, .expired, .canceled, .refunded: true
        case .created, .pending, .succeeded, .partiallyRefunded: false
        }
    }

    /// The money arrived (and may be partly returned).
    public var isPaid: Bool { self == .succeeded || self == .partiallyRefunded || self == .refunded }

    /// For staff and borrowers.
    public var label: String {
        switch self {
        case .created: "Creado"
        case .pending: "Pendiente de pago"
        case .succeeded: "Pagado"
        case .failed: "Rechazado"
        case .expired: "Vencido"
        case .canceled: "Cancelado"
        case .partiallyRefunded: "Reembolsado en parte"
        case .refunded: "Reembolsado"
        }
    }
}
