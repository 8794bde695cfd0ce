/// The Mexican identifiers Cartera validates.
public enum IdentifierKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Clave Bancaria Estandarizada (18 digits).
    case clabe
    /// Registro Federal de Contribuyentes (12 characters for personas morales, 13 for personas físicas).
    case rfc
    /// Clave Única de Registro de Población (18 characters).
    case curp
}
