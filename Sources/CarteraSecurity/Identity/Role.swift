/// The roles of Cartera's users. A user has exactly one.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case administrador
    case analistaCredito = "analista_credito"
    case gestorCobranza = "gestor_cobranza"
    case oficialCumplimiento = "oficial_cumplimiento"
    /// Read-only access to everything, for internal and external auditors.
    case auditor
    /// A borrower: the portal only.
    case acreditado

    /// The name shown to people.
    public var displayName: String {
        switch self {
        case .administrador: "Administrador"
        case .analistaCredito: "Analista de crédito"
        case .gestorCobranza: "Gestor de cobranza"
        case .oficialCumplimiento: "Oficial de cumplimiento"
        case .auditor: "Auditor"
        case .acreditado: "Acreditado"
        }
    }

    /// Whether the role must sign in with a second factor (TOTP).
    public var requiresMFA: Bool { self == .administrador || self == .oficialCumplimiento }

    /// Whether the role works in the back office (every role but the borrower's).
    public var isStaff: Bool { self != .acreditado }
}
