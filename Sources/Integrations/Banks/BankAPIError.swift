import CarteraCore

/// What went wrong talking to a bank's API, in terms a person can act on.
public enum BankAPIError: CarteraError, Equatable {
    /// The bank refused the request for a reason of its own (bad account, insufficient funds…): final.
    case refused(bank: String, status: Int, code: String?, detail: String)
    /// The bank refused Cartera's credentials (`invalid_client`): nothing will work until they are fixed.
    case credentialsRejected(bank: String)
    /// No good answer after every try (network errors, 5xx, 429): nothing was done, try later.
    case unavailable(bank: String, detail: String)
    /// The bank failed so often lately that Cartera stopped calling it until `retryAt`.
    case circuitOpen(bank: String, retryAt: Timestamp)
    /// The bank answered something Cartera cannot read.
    case invalidResponse(bank: String, detail: String)

    public var code: String {
        switch self {
        case .refused: "bank_refused"
        case .credentialsRejected: "bank_credentials_rejected"
        case .unavailable: "bank_unavailable"
        case .circuitOpen: "bank_circuit_open"
        case .invalidResponse: "bank_invalid_response"
        }
    }

    public var message: String {
        switch self {
        case .refused(let bank, _, _, let detail):
            "\(bank) rechazó la solicitud: \(detail)"
        case .credentialsRejected(let bank):
            "\(bank) rechazó las credenciales de Cartera. Revise CARTERA_BANK_CLIENT_ID y CARTERA_BANK_CLIENT_SECRET con el banco."
        case .unavailable(let bank, _):
            "\(bank) no responde en este momento. Intente más tarde o importe el estado de cuenta en archivo; no se guardó nada."
        case .circuitOpen(let bank, let retryAt):
            "\(bank) ha fallado varias veces seguidas; Cartera dejó de llamarle hasta las \(retryAt.text). Mientras tanto importe el estado de cuenta en archivo."
        case .invalidResponse(let bank, _):
            "\(bank) respondió algo que Cartera no entiende. Avise a soporte; no se guardó nada."
        }
    }
}
