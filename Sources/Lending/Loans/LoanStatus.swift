/// Where a loan is in its life: application → approved → active → paid off | written off | restructured; an
/// application or an approved loan may be canceled before disbursement.
public enum LoanStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case application = "solicitud"
    case approved = "aprobado"
    case canceled = "cancelado"
    case active = "vigente"
    case paidOff = "liquidado"
    case writtenOff = "castigado"
    case restructured = "reestructurado"

    /// The status in Spanish, for people.
    public var label: String {
        switch self {
        case .application: "Solicitud"
        case .approved: "Aprobado"
        case .canceled: "Cancelado"
        case .active: "Vigente"
        case .paidOff: "Liquidado"
        case .writtenOff: "Castigado"
        case .restructured: "Reestructurado"
        }
    }

    /// Whether the loan has been disbursed (it has terms, events and journal entries).
    public var isDisbursed: Bool { [.active, .paidOff, .writtenOff, .restructured].contains(self) }

    /// Whether payments may be recorded: on an active loan, on a paid-off one (a credit balance), or after a
    /// write-off (a recovery).
    public var acceptsPayments: Bool { [.active, .paidOff, .writtenOff].contains(self) }

    /// The status that follows from a disbursed loan's position.
    public init(_ position: LoanPosition.Status) {
        switch position {
        case .active: self = .active
        case .paidOff: self = .paidOff
        case .writtenOff: self = .writtenOff
        }
    }
}

extension LedgerAccount {
    /// Whether the account belongs to a loan (its balance follows from the loan's position) rather than to the lender's
    /// cash: bank, cash, clearing and suspense accounts are the lender's.
    public var isLoanAccount: Bool {
        switch self {
        case .cash, .banks, .clearingConekta, .clearingOpenpay, .clearingMercadoPago, .clearingStripe, .clearingPayPal, .suspense, .restructureBridge, .speiInTransit, .gatewayFees: false
        default: true
        }
    }
}
