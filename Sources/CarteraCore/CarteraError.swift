/// An error that can be shown to a person and handled by a program.
///
/// Every error that crosses a module boundary towards a user or an API client conforms to this protocol:
/// `code` is stable and machine-readable (`snake_case`, English), `message` is for people, in Spanish (es-MX),
/// and says what to do next where that is possible.
public protocol CarteraError: Error, Sendable {
    /// Stable machine-readable code, e.g. `money_overflow`.
    var code: String { get }
    /// Human-readable explanation in Spanish.
    var message: String { get }
}
