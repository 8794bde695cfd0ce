import CarteraCore
import Crypto

/// One-time recovery codes for a user who has lost the device with their authenticator app.
///
/// Ten codes of 16 base-32 characters (80 bits each), shown once as `ABCD-EFGH-JKLM-NPQR`; only their SHA-256 is stored,
/// salted with the user id. Each code signs in once.
public enum RecoveryCodes {
    public static let count = 10
    /// Crockford's base 32: no I, L, O or U, so a code typed from paper is read right (O is read as 0, I and L as 1).
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// New codes, formatted for people.
    public static func generate() -> [String] {
        (0..<count).map { _ in
            let bytes = ByteEncoding.randomBytes(16)
            let characters = bytes.map { Character(UnicodeScalar(alphabet[Int($0 & 31)])) }
            return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
        }
    }

    /// The code as typed, reduced to its characters (upper case, no dashes or spaces); nil when it cannot be a code.
    public static func normalize(_ typed: String) -> String? {
        let text = String(typed.uppercased().compactMap { character -> Character? in
            switch character {
            case "-", " ", "\t": nil
            case "O": "0"
            case "I", "L": "1"
            default: character
            }
        })
        guard text.count == 16, text.utf8.allSatisfy(alphabet.contains) else { return nil }
        return text
    }

    /// What is stored for a code: SHA-256 (hex) over the user id and the normalised code.
    public static func hash(_ normalizedCode: String, userID: String) -> String {
        ByteEncoding.hex(SHA256.hash(data: Array("\(userID)\n\(normalizedCode)".utf8)))
    }
}
