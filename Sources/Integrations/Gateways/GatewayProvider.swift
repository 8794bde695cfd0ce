/// The payment gateways Cartera collects through.
public enum GatewayProvider: String, Sendable, Hashable, Codable, CaseIterable {
    case stripe
    case conekta
    case openpay
    case mercadopago
    case paypal

    /// The name people know.
    public var name: String {
        switch self {
        case .stripe: "Stripe"
        case .conekta: "Conekta"
        case .openpay: "Openpay"
        case .mercadopago: "Mercado Pago"
        case .paypal: "PayPal"
        }
    }
}
