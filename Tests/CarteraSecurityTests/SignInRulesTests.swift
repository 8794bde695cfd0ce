import CarteraSecurity
import Foundation
import Testing

@Suite("Sign-in rules: throttling, recovery codes, permissions")
struct SignInRulesTests {
    @Test("Locks start at the threshold and double up to one hour")
    func lockSchedule() {
        let waits = (1...14).map { LoginThrottle.lockSeconds(failures: $0, threshold: 5) }
        #expect(waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600])
        #expect(LoginThrottle.lockSeconds(failures: 19, threshold: 20) == 0)
        #expect(LoginThrottle.lockSeconds(failures: 20, threshold: 20) == 30)
        #expect(LoginThrottle.lockSeconds(failures: 1_000, threshold: 5) == 3600)
    }

    @Test("Waits read naturally in Spanish")
    func describe() {
        #expect(LoginThrottle.describe(seconds: 1) == "1 segundo")
        #expect(LoginThrottle.describe(seconds: 30) == "30 segundos")
        #expect(LoginThrottle.describe(seconds: 61) == "2 minutos")
        #expect(LoginThrottle.describe(seconds: 60) == "1 minuto")
        #expect(LoginThrottle.describe(seconds: 3600) == "1 hora")
    }

    @Test("Recovery codes: ten distinct 16-character codes that normalise back, typed loosely")
    func recoveryCodes() throws {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        for code in codes {
            #expect(code.count == 19)
            #expect(code.split(separator: "-").count == 4)
            let normalized = try #require(RecoveryCodes.normalize(code))
            #expect(normalized == code.replacingOccurrences(of: "-", with: ""))
            #expect(RecoveryCodes.normalize(code.lowercased().replacingOccurrences(of: "-", with: " ")) == normalized)
        }
        // O is read as zero, I and L as one; U is not in the alphabet.
        #expect(RecoveryCodes.normalize("OOOO-IIII-LLLL-2222") == "0000111111112222")
        #expect(RecoveryCodes.normalize("UUUU-0000-0000-0000") == nil)
        #expect(RecoveryCodes.normalize("0000-0000-0000") == nil)
    }

    @Test("A recovery code's hash depends on the user")
    func recoveryHash() {
        let a = RecoveryCodes.hash("0000111111112222", userID: "u1")
        #expect(a.count == 64)
        #expect(a != RecoveryCodes.hash("0000111111112222", userID: "u2"))
        #expect(a == RecoveryCodes.hash("0000111111112222", userID: "u1"))
    }

    @Test("Role permissions: the matrix as the issue defines it")
    func permissions() {
        let expected: [Role: Set<Permission>] = [
            .administrador: [
                .useBackOffice, .manageUsers, .manageAPIClients, .readAudit, .readClients, .manageClients, .readIdentityDocuments, .manageProducts, .readLoans,
                .originateLoans, .approveLoans, .disburseLoans, .postPayments, .reversePayments, .readLedger, .manageGateways, .importStatements,
                .manageCollections, .assignCollections, .configureCollections,
            ],
            // Identity documents are opened by those who take, check or audit them; never by collections.
            .analistaCredito: [.useBackOffice, .readClients, .manageClients, .readIdentityDocuments, .readLoans, .originateLoans],
            .gestorCobranza: [.useBackOffice, .readClients, .readLoans, .postPayments, .importStatements, .manageCollections],
            .oficialCumplimiento: [.useBackOffice, .readAudit, .readClients, .readIdentityDocuments, .readLoans, .readCompliance, .manageCompliance],
            .auditor: [.useBackOffice, .readAudit, .readClients, .readIdentityDocuments, .readLoans, .readLedger, .readCompliance],
            .acreditado: [.usePortal],
        ]
        for role in Role.allCases {
            #expect(role.permissions == expected[role], "\(role)")
        }
        #expect(Role.allCases.filter(\.requiresMFA) == [.administrador, .oficialCumplimiento])
    }
}
