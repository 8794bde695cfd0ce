import CarteraCore

/// What went wrong talking to a payment gateway, in terms a connector, the janitor and a person can act on.
public enum GatewayError: CarteraError, Equatable {
    /// The provider refused the operation for a reason of its own (declined card, bad request, wrong key): final.
    case refused(provider: GatewayProvider, status: Int, providerCode: String?, detail: String)
    /// The provider did not answer well after every try (network errors, 5xx, 429): nothing was done, try later.
    case unavailable(provider: GatewayProvider, detail: String)
    /// The provider has failed so often lately that Cartera stopped calling it for a while.
    case circuitOpen(provider: GatewayProvider, retryAt: Timestamp)
    /// A request that cannot safely be repeated got no answer: it may or may not have been done. The intent stays
    /// pending and the janitor asks the provider.
    case outcomeUnknown(provider: GatewayProvider, detail: String)
    /// The provider answered something Cartera cannot read.
    case invalidResponse(provider: GatewayProvider, detail: String)
    /// The provider does not offer this way of paying.
    case unsupported(provider: GatewayProvider, method: GatewayMethod.Kind)
    /// The provider has no page of its own where a borrower saves a card; the lender's app saves it with the
    /// provider's script instead (`saveCard`).
    case noCardPage(provider: GatewayProvider)

    public var code: String {
        switch self {
        case .refused: "gateway_refused"
        case .unavailable: "gateway_unavailable"
        case .circuitOpen: "gateway_circuit_open"
        case .outcomeUnknown: "gateway_outcome_unknown"
        case .invalidResponse: "gateway_invalid_response"
        case .unsupported: "gateway_method_unsupported"
        case .noCardPage: "gateway_card_page_unsupported"
        }
    }

    public var message: String {
        switch self {
        case .refused(let provider, _, _, let detail):
            "\(provider.name) rechazó la operación: \(detail)"
        case .unavailable(let provider, _):
            "\(provider.name) no responde en este momento. Intente de nuevo en unos minutos; no se hizo ningún cargo."
        case .circuitOpen(let provider, let retryAt):
            "\(provider.name) ha fallado varias veces seguidas; Cartera dejó de llamarle hasta las \(retryAt.text). Intente después o use otro medio de pago."
        case .outcomeUnknown(let provider, _):
            "No se sabe aún si \(provider.name) hizo la operación; Cartera lo confirmará con \(provider.name) y no la repetirá."
        case .invalidResponse(let provider, _):
            "\(provider.name) respondió algo que Cartera no entiende. Avise a soporte; no se registró nada."
        case .unsupported(let provider, let method):
            "\(provider.name) no ofrece pagos \(Self.methodName(method)). Elija otra forma de pago."
        case .noCardPage(let provider):
            "\(provider.name) no tiene una página para registrar tarjetas; la financiera registra la tarjeta desde su aplicación con el formulario de \(provider.name). Elija otra pasarela."
        }
    }

    static func methodName(_ method: GatewayMethod.Kind) -> String {
        switch method {
        case .card: "con tarjeta"
        case .savedCard: "con tarjeta guardada"
        case .cash: "en efectivo en tiendas"
        case .spei: "por SPEI"
        }
    }
}
