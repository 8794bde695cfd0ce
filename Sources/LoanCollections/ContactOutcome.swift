/// What came of a collector's contact attempt (the contact log's outcome codes).
public enum ContactOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case promised = "promesa"
    case reached = "contactado"
    case alreadyPaid = "ya_pago"
    case dispute = "aclaracion"
    case refused = "negativa"
    case noAnswer = "no_contesta"
    case wrongNumber = "numero_equivocado"
    case thirdParty = "tercero"

    public var label: String {
        switch self {
        case .promised: "Contactado: promete pagar"
        case .reached: "Contactado, sin promesa"
        case .alreadyPaid: "Dice que ya pagó"
        case .dispute: "Pide aclaración"
        case .refused: "Se niega a pagar"
        case .noAnswer: "No contesta"
        case .wrongNumber: "Número equivocado"
        case .thirdParty: "Contestó otra persona (no se le informó nada)"
        }
    }

    /// Whether the borrower was spoken to (right-party contact).
    public var isRightParty: Bool { [.promised, .reached, .alreadyPaid, .dispute, .refused].contains(self) }
}
