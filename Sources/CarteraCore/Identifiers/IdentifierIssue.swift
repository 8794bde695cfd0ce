/// One problem found in an identifier: a stable code for programs and a Spanish message for people.
public struct IdentifierIssue: Sendable, Hashable, Codable {
    /// Stable machine-readable code, e.g. `clabe_check_digit`.
    public let code: String
    /// Explanation in Spanish.
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
