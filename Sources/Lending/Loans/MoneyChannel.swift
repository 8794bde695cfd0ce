/// How money moved between the lender and a borrower, and so which of the lender's accounts it went through.
public enum MoneyChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cash at a branch (caja).
    case cash = "efectivo"
    /// An SPEI transfer.
    case spei
    /// A transfer between accounts of the same bank, or a cheque deposit.
    case transfer = "transferencia"
    case conekta
    case openpay
    case mercadoPago = "mercadopago"
    case stripe
    case paypal
    /// No money moves: a restructuring's new loan pays the old one.
    case restructure = "reestructura"
    /// Money already received and held in suspense (partidas en suspenso), applied to a loan once identified.
    case suspense = "suspenso"

    /// Whether staff and API clients may name the channel for a payment or a disbursement (a restructuring and money
    /// from suspense are recorded by their own operations).
    public var isChosenByStaff: Bool { self != .restructure && self != .suspense }

    /// The lender's account the money goes through.
    public var account: LedgerAccount {
        switch self {
        case .cash: .cash
        case .spei, .transfer: .banks
        case .conekta: .clearingConekta
        case .openpay: .clearingOpenpay
        case .mercadoPago: .clearingMercadoPago
        case .stripe: .clearingStripe
        case .paypal: .clearingPayPal
        case .restructure: .restructureBridge
        case .suspense: .suspense
        }
    }

    /// The channel's name in Spanish.
    public var label: String {
        switch self {
        case .cash: "Efectivo"
        case .spei: "SPEI"
        case .transfer: "Transferencia"
        case .conekta: "Conekta"
        case .openpay: "Openpay"
        case .mercadoPago: "Mercado Pago"
        case .stripe: "Stripe"
        case .paypal: "PayPal"
        case .restructure: "Reestructura"
        case .suspense: "Partida en suspenso"
        }
    }
}
