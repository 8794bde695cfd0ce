import CarteraSecurity
import Testing

@Suite("Password policy")
struct PasswordPolicyTests {
    @Test("good passwords pass", arguments: ["caballo-bateria-grapa-7", "Lluvia en Oaxaca 1987!", "t7#Qm2vX9!pLr"])
    func good(password: String) throws {
        try PasswordPolicy.check(password, username: "maria.lopez")
    }

    @Test("weak passwords are refused with the rule they break", arguments: [
        ("corta", "password_too_short"),
        (String(repeating: "a", count: 80), "password_too_long"),
        ("aaaaaaaaaaaaaaaa", "password_repetitive"),
        ("ababababababab", "password_repetitive"),
        ("maria.lopez2026!", "password_contains_username"),
        ("Password2026", "password_breached_pattern"),
        ("contraseña123", "password_breached_pattern"),
        ("qwertyuiop12", "password_breached_pattern"),
        ("123456789012", "password_breached_pattern"),
        ("abcdefghijklm", "password_breached_pattern"),
        ("987654321098", "password_breached_pattern"),
    ])
    func weak(password: String, code: String) {
        do {
            try PasswordPolicy.check(password, username: "maria.lopez")
            Issue.record("accepted \(password)")
        } catch {
            #expect(error.code == code)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("roles: MFA is mandatory for administrador and oficial de cumplimiento only")
    func roles() {
        #expect(Role.allCases.filter(\.requiresMFA) == [.administrador, .oficialCumplimiento])
        #expect(Role.allCases.filter { !$0.isStaff } == [.acreditado])
        #expect(Role(rawValue: "analista_credito") == .analistaCredito)
    }
}
