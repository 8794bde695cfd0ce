import CarteraCore

/// The rules a new password must meet, checked before it is hashed with bcrypt.
///
/// Length 12–72 bytes (bcrypt ignores bytes past 72, so longer passwords would be silently shortened), and none of
/// the patterns found in breached-password lists: very common passwords, keyboard runs and counting sequences, one
/// repeated character, or the user name itself.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumBytes = 72

    /// A password that does not meet the policy, with the reason in Spanish.
    public struct Violation: CarteraError, Equatable {
        public let code: String
        public let message: String
    }

    /// Throws the first rule the password breaks.
    public static func check(_ password: String, username: String) throws(Violation) {
        if password.count < minimumLength {
            throw Violation(
                code: "password_too_short",
                message: "La contraseña debe tener al menos \(minimumLength) caracteres. Use una frase fácil de recordar."
            )
        }
        if password.utf8.count > maximumBytes {
            throw Violation(code: "password_too_long", message: "La contraseña no puede pasar de \(maximumBytes) bytes.")
        }
        let lowered = password.lowercased()
        let compact = lowered.filter { !$0.isWhitespace }
        if Set(compact).count <= 2 {
            throw Violation(code: "password_repetitive", message: "La contraseña repite casi un solo carácter. Elija otra.")
        }
        let user = username.lowercased()
        if user.count >= 3, lowered.contains(user) {
            throw Violation(code: "password_contains_username", message: "La contraseña no puede contener el nombre de usuario.")
        }
        let core = compact.filter { $0.isLetter || $0.isNumber }
        if commonPasswords.contains(where: { core.hasPrefix($0) && core.count <= $0.count + 4 }) || isSequence(core) {
            throw Violation(
                code: "password_breached_pattern",
                message: "La contraseña sigue un patrón de las listas de contraseñas filtradas (muy común, secuencia o teclado). Elija otra."
            )
        }
    }

    /// Common passwords and their stems (lower case, letters and digits only), from the patterns that dominate public
    /// breach corpora, in English and Spanish.
    static let commonPasswords: [String] = [
        "password", "passw0rd", "contrasena", "contraseña", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm",
        "123456", "1234567890", "12345678", "111111", "000000", "abc123", "iloveyou", "teamo", "admin", "administrador",
        "welcome", "bienvenido", "letmein", "monkey", "dragon", "football", "futbol", "america", "mexico", "cartera",
        "sofom", "banco", "tequiero", "princesa", "superman", "batman", "changeme", "secret", "secreto",
    ]

    /// Whether the text is a counting or alphabet run (`123456789012`, `abcdefghijkl`, `987654321`…), forwards or back.
    static func isSequence(_ text: String) -> Bool {
        let values = text.unicodeScalars.map { Int($0.value) }
        guard values.count >= 6 else { return false }
        let steps = zip(values, values.dropFirst()).map { $1 - $0 }
        let wraps = { (step: Int) in step == 1 || step == -1 || step == -9 || step == 9 }  // 0→9 wraps in 890123
        return steps.allSatisfy(wraps) && (steps.allSatisfy { $0 > 0 || $0 == -9 } || steps.allSatisfy { $0 < 0 || $0 == 9 })
    }
}
