/// What a confirmed match on a list means for the client.
public enum ListPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// Lista de Personas Bloqueadas (UIF) and UN Security Council lists: operations are suspended at once and a
    /// 24-hour report is due.
    case blocking = "bloqueo"
    /// Sanctions lists screened as good practice (OFAC SDN): operations are suspended and the match is analysed as an
    /// unusual operation.
    case sanctions = "sanciones"
    /// Politically exposed persons: enhanced due diligence and a higher risk grade; operations go on.
    case pep = "pep"
    /// The lender's own list: the match is analysed as an unusual operation; operations go on.
    case ownList = "interna"

    /// The purpose a list has unless the compliance officer says otherwise: `LPB` and `UN…` block, `PEP…` are PEP
    /// lists, `OFAC…` are sanctions, anything else is internal.
    public static func `default`(forList list: String) -> ListPurpose {
        let name = list.uppercased()
        if name == "LPB" || name.hasPrefix("LPB-") || name == "UN" || name.hasPrefix("UN-") || name.hasPrefix("ONU") { return .blocking }
        if name.hasPrefix("PEP") { return .pep }
        if name.hasPrefix("OFAC") { return .sanctions }
        return .ownList
    }

    /// A confirmed match suspends the client's operations.
    public var suspendsOperations: Bool { self == .blocking || self == .sanctions }

    /// A match not yet reviewed already holds disbursements (it may be a blocked person).
    public var holdsWhilePending: Bool { self == .blocking || self == .sanctions }

    /// In Spanish, for people.
    public var label: String {
        switch self {
        case .blocking: "bloqueo (suspende operaciones y reporte de 24 horas)"
        case .sanctions: "sanciones (suspende operaciones y se analiza como inusual)"
        case .pep: "personas políticamente expuestas"
        case .ownList: "lista interna"
        }
    }
}
