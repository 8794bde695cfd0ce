import SQLKit

/// A text written into a statement as a string literal instead of a bind, for bulk inserts where encoding thousands of
/// binds costs more than the rows themselves. Only texts that cannot leave the literal in either dialect qualify: no
/// single quote, no backslash (PostgreSQL reads it as an escape when `standard_conforming_strings` is off) and no NUL.
public enum SQLTextLiteral {
    /// `'text'` when `text` qualifies; nil otherwise (bind it).
    public static func quoted(_ text: String) -> String? {
        qualifies(text) ? "'" + text + "'" : nil
    }

    /// Whether `text` can be written as a literal (see the type).
    public static func qualifies(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") || $0 == 0 }
    }

    /// The text as a literal when it qualifies, else as a bind.
    public static func expression(_ text: String?) -> SQLQueryString {
        guard let text else { return "NULL" }
        if let quoted = quoted(text) { return "\(unsafeRaw: quoted)" }
        return "\(bind: text)"
    }
}
