/// A kind of document in a client's identification file (expediente), as the 4ª disposición lists them for personas
/// físicas and morales.
public enum KYCDocumentKind: String, Sendable, Codable, CaseIterable {
    case officialID = "identificacion_oficial"
    case proofOfAddress = "comprobante_domicilio"
    case curpCertificate = "constancia_curp"
    case rfcCertificate = "cedula_rfc"
    /// The client's declaration that it acts on its own behalf (or names the propietario real).
    case ownBehalfDeclaration = "declaracion_propietario_real"
    case incorporationDeed = "escritura_constitutiva"
    case powerOfAttorney = "poder_representante"
    case representativeID = "identificacion_representante"
    case beneficialOwnerID = "identificacion_beneficiario"
    /// The company's declaration of who its beneficiarios controladores are.
    case beneficialOwnerDeclaration = "declaracion_beneficiario_controlador"
    /// Anything else staff keep in the file; never required.
    case other = "otro"

    /// Whose document it is.
    public enum Scope: Sendable, Equatable {
        case client
        case representative
        case beneficialOwner
    }

    public var scope: Scope {
        switch self {
        case .powerOfAttorney, .representativeID: .representative
        case .beneficialOwnerID: .beneficialOwner
        default: .client
        }
    }

    /// The name staff read.
    public var label: String {
        switch self {
        case .officialID: "Identificación oficial"
        case .proofOfAddress: "Comprobante de domicilio"
        case .curpCertificate: "Constancia de CURP"
        case .rfcCertificate: "Cédula de identificación fiscal (RFC)"
        case .ownBehalfDeclaration: "Declaración de actuar por cuenta propia"
        case .incorporationDeed: "Escritura constitutiva inscrita en el RPC"
        case .powerOfAttorney: "Poder del representante"
        case .representativeID: "Identificación del representante"
        case .beneficialOwnerID: "Identificación del beneficiario controlador"
        case .beneficialOwnerDeclaration: "Declaración de beneficiarios controladores"
        case .other: "Otro documento"
        }
    }

    /// Identifications carry an expiry date (vigencia); a file with an expired one is incomplete.
    public var needsExpiry: Bool { self == .officialID || self == .representativeID || self == .beneficialOwnerID }

    /// A proof of address is dated; it must be recent when received.
    public var needsIssueDate: Bool { self == .proofOfAddress }
}
