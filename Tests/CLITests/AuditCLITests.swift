import CarteraTestSupport
import CarteraCore
import Foundation
import SQLKit
import CarteraSecurity
import Store
import Testing

@Suite("cartera audit verify", .serialized)
struct AuditCLITests {
    @Test("exit 0 on an intact chain, 1 naming the altered entry")
    func verify() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.sqlite").path
        let environment = ["CARTERA_DATABASE_URL": "sqlite://" + path]

        let database = try await Database.open(.sqlite(path: path))
        try await Migrator(database: database).migrate()
        for index in 1...5 {
            let draft = AuditEntry.draft(
                at: Timestamp(millisecondsSince1970: 1_795_000_000_000 + Int64(index)), actorKind: .user, actorID: "u1",
                ipAddress: "127.0.0.1", action: "auth.login", objectType: "user", objectID: "u1", outcome: .success, requestID: "r\(index)"
            )
            try await database.transaction { db in try await AuditLog.append(draft, on: db) }
        }

        let intact = try await CLI.run(["audit", "verify"], environment: environment)
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.contains("✓ La cadena de la bitácora está íntegra: 5 entradas revisadas."))
        let head = try #require(intact.stdout.firstMatch(of: /Cabeza actual \(guárdela fuera de la base\): (5:[0-9a-f]{64})/)).1

        try await database.withConnection { db in try await db.raw("UPDATE audit_log SET action = 'auth.logout' WHERE sequence = 3").run() }
        let altered = try await CLI.run(["audit", "verify", "--json"], environment: environment)
        #expect(altered.status == 1)
        #expect(altered.stdout.contains(#""broken_sequence" : 3"#))
        #expect(altered.stdout.contains(#""problem" : "audit_chain_altered""#))

        try await database.withConnection { db in
            try await db.raw("UPDATE audit_log SET action = 'auth.login' WHERE sequence = 3").run()
            try await db.raw("DELETE FROM audit_log WHERE sequence = 5").run()
        }
        try await database.shutdown()
        let truncated = try await CLI.run(["audit", "verify", "--head", String(head)], environment: environment)
        #expect(truncated.status == 1)
        #expect(truncated.stdout.contains("faltan las entradas desde la 5"))

        let badHead = try await CLI.run(["audit", "verify", "--head", "nonsense"], environment: environment)
        #expect(badHead.status != 0)
        #expect(badHead.stderr.contains("SECUENCIA:HUELLA"))
    }
}
