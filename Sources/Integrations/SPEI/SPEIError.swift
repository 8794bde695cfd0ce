import CarteraCore

/// What went wrong sending an order to the SPEI participant (STP), in terms a person can act on.
public enum SPEIError: CarteraError, Equatable {
    /// The participant refused the order (bad account, amount, signature, PLD…): final for this order.
    case refused(id: Int?, description: String)
    /// The participant did not answer well after every try: nothing was sent; send the same order again later.
    case unavailable(detail: String)
    /// The participant failed so often lately that Cartera stopped calling it until `retryAt`.
    case circuitOpen(retryAt: Timestamp)
    /// The participant answered something Cartera cannot read.
    case invalidResponse(detail: String)

    public var code: String {
        switch self {
        case .refused: "spei_refused"
        case .unavailable: "spei_unavailable"
        case .circuitOpen: "spei_circuit_open"
        case .invalidResponse: "spei_invalid_response"
        }
    }

    public var message: String {
        switch self {
        case .refused(_, let description):
            "STP rechazó la orden: \(description). Corrija los datos del beneficiario y capture una orden nueva."
        case .unavailable:
            "STP no responde en este momento; la orden no salió. Reintente el envío en unos minutos: se enviará la misma orden, nunca dos."
        case .circuitOpen(let retryAt):
            "STP ha fallado varias veces seguidas; Cartera dejó de llamarle hasta las \(retryAt.text). Reintente el envío después."
        case .invalidResponse:
            "STP respondió algo que Cartera no entiende; la orden queda por confirmar. Avise a soporte antes de reintentar."
        }
    }
}
