import CarteraTestSupport
import Foundation
import Testing

@Suite("cartera lender / users", .serialized)
struct AdministrationCLITests {
    @Test("create the lender, then users with the password from standard input")
    func createLenderAndUsers() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let noLender = try await CLI.run(
            ["users", "create", "--username", "ana", "--role", "auditor", "--password-stdin"], directory: folder, input: "Lluvia en Oaxaca 1987!\n"
        )
        #expect(noLender.status == 1)
        #expect(noLender.stderr.contains("cartera lender create"))

        let lender = try await CLI.run(
            ["lender", "create", "--legal-name", "Financiera Ejemplo, S.A. de C.V., SOFOM, E.N.R.", "--short-name", "Ejemplo", "--rfc", "SAT970701NN3"],
            directory: folder
        )
        #expect(lender.status == 0, "\(lender.stderr)")
        #expect(lender.stdout.hasPrefix("Otorgante «Ejemplo» registrado"))

        let badRFC = try await CLI.run(["lender", "create", "--legal-name", "X", "--short-name", "X", "--rfc", "GODE561231GR8"], directory: folder)
        #expect(badRFC.status == 1)
        #expect(badRFC.stderr.contains("persona moral"))

        let weak = try await CLI.run(
            ["users", "create", "--username", "ana", "--role", "auditor", "--password-stdin"], directory: folder, input: "password2026\n"
        )
        #expect(weak.status == 1)
        #expect(weak.stderr.contains("listas de contraseñas filtradas"))

        let created = try await CLI.run(
            ["users", "create", "--username", "Ana.Perez", "--role", "administrador", "--password-stdin", "--json"],
            directory: folder,
            input: "Lluvia en Oaxaca 1987!\n"
        )
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains(#""username" : "ana.perez""#))
        #expect(created.stdout.contains(#""mfa_required" : true"#))
        #expect(!created.stdout.contains("Lluvia"))

        let duplicate = try await CLI.run(
            ["users", "create", "--username", "ana.perez", "--role", "auditor", "--password-stdin"], directory: folder, input: "Otra frase larga 2026?\n"
        )
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("Ya existe un usuario «ana.perez»"))

        let apiClient = try await CLI.run(["api-clients", "create", "--name", "ERP", "--scopes", "clients:read,loans:write", "--json"], directory: folder)
        #expect(apiClient.status == 0, "\(apiClient.stderr)")
        #expect(apiClient.stdout.contains(#""client_secret" : ""#))
        #expect(apiClient.stdout.contains(#""scopes" : ["#))
        let badScope = try await CLI.run(["api-clients", "create", "--name", "X", "--scopes", "todo:write"], directory: folder)
        #expect(badScope.status == 1)
        #expect(badScope.stderr.contains("Alcance desconocido"))

        let noFlag = try await CLI.run(["users", "create", "--username", "x", "--role", "auditor"], directory: folder)
        #expect(noFlag.status != 0)

        let card = try await CLI.run(
            ["users", "create", "--username", "pepe", "--role", "auditor", "--display-name", "Pepe 4111-1111-1111-1111", "--password-stdin"],
            directory: folder, input: "Otra frase larga 2026?\n"
        )
        #expect(card.status == 1)
        #expect(card.stderr.contains("número de tarjeta"))

        let rotated = try await CLI.run(["keys", "rotate-signing", "--json"], directory: folder)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains(#""kid" : "sk-"#))

        let dataKeys = try await CLI.run(["keys", "rotate", "--settle-seconds", "0", "--json"], directory: folder)
        #expect(dataKeys.status == 0, "\(dataKeys.stderr)")
        #expect(dataKeys.stdout.contains(#""current_key" : "k2""#))
        #expect(dataKeys.stdout.contains(#""users.display_name" : 1"#))
        #expect(dataKeys.stdout.contains(#""signing_keys.private_key" : 1"#))
        let keyFile = try String(contentsOf: folder.appendingPathComponent("cartera.keys"), encoding: .utf8)
        #expect(keyFile.contains(#""current" : "k2""#) && keyFile.contains(#""k1""#))
        let envOnly = try await CLI.run(
            ["keys", "rotate"], environment: ["CARTERA_DATA_KEYS": "k1:" + Data(repeating: 7, count: 32).base64EncodedString(), "CARTERA_INDEX_KEY": Data(repeating: 9, count: 32).base64EncodedString()],
            directory: folder
        )
        #expect(envOnly.status == 1)
        #expect(envOnly.stderr.contains("--reencrypt-only"))

        // Every change is in the audit chain, and the chain is intact.
        let audit = try await CLI.run(["audit", "verify", "--json"], directory: folder)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains(#""checked" : 5"#))
    }
}
