/// One problem with one field of an input: where (`field`, a JSON path such as `address.postalCode` or `phones[1]`),
/// what (`code`, stable, for programs) and what to do (`message`, Spanish, for people).
public struct FieldIssue: Error, Sendable, Hashable, Codable {
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
