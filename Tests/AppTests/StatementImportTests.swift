@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Reconciliation
import SQLKit
import Store
import Testing

/// Statement files into the store: once per account and natural key, in one transaction, personal data encrypted.
@Suite("Statement import", .enabled(if: SharedFixtures.enabled, "needs ../shared/fixtures beside the project"))
struct StatementImportTests {
    /// A migrated database with a lender and its import service.
    static func run(on engine: TestEngine, _ body: @escaping @Sendable (Database, LoanFixture, StatementImports) async throws -> Void) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            try await body(database, try await LoanFixture.make(database), StatementImports(database: database, keys: TestKeys.live))
        }
    }

    static func lines(_ database: Database) async throws -> Int {
        try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM bank_statement_lines").first(decodingColumn: "n", as: Int.self) ?? -1 }
    }

    @Test("A camt.053 file twice: the second import adds nothing and counts every line as a duplicate; the summary has the totals", arguments: TestEngine.available)
    func camtTwice(engine: TestEngine) async throws {
        try await Self.run(on: engine) { database, fixture, imports in
            let data = try SharedFixtures.data("camt/camt053.v2.multi.statement.xml")
            let first = try await imports.importFile(data, fileName: "estado.xml", lenderID: fixture.lenderID, actor: .commandLine)
            #expect(first.format == "camt053" && first.statements == 2 && first.entries == 2 && first.added == 2 && first.duplicates == 0)
            #expect(first.credits == "8.85" && first.debits == "7.00" && first.warnings.contains { $0.contains("solo se concilian los de MXN") })
            let again = try await imports.importFile(data, fileName: "estado (1).xml", lenderID: fixture.lenderID, actor: .commandLine)
            #expect(again.entries == 2 && again.added == 0 && again.duplicates == 2 && again.importId != first.importId)
            #expect(try await Self.lines(database) == 2)
            let accounts = try await database.withConnection { db in try await db.raw("SELECT number FROM bank_accounts").all(decodingColumn: "number", as: String.self) }
            #expect(accounts == ["NL26VAYB8060476890"])
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'statement.import'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 2)
        }
    }

    @Test("MT940: identical movements stay two; the payer's name and the free text are stored encrypted and read back", arguments: TestEngine.available)
    func mt940Encrypted(engine: TestEngine) async throws {
        try await Self.run(on: engine) { database, fixture, imports in
            let text = """
                :20:STMT1
                :25:012180001234567897
                :28C:7/1
                :60F:C261126MXN1000,00
                :61:2611261126C500,00NTRFNONREF//BANK1
                :86:PAGO CREDITO ANA LOPEZ
                :61:2611261126C500,00NTRFNONREF//BANK1
                :86:PAGO CREDITO ANA LOPEZ
                :62F:C261126MXN2000,00
                """
            let summary = try await imports.importFile(Data(text.utf8), fileName: "mt940.sta", lenderID: fixture.lenderID, actor: .commandLine)
            #expect(summary.added == 2 && summary.credits == "1000.00" && summary.warnings.isEmpty)
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT id, remittance, amount FROM bank_statement_lines ORDER BY position").all()
            }
            #expect(stored.count == 2)
            let sealed = try #require(try stored[0].decode(column: "remittance", as: String?.self))
            #expect(!sealed.contains("ANA"))
            #expect(try TestKeys.live.cipher.decrypt(sealed, field: "bank_statement_lines.remittance") == "PAGO CREDITO ANA LOPEZ")
            #expect(EncryptedColumns.all.contains { $0.table == "bank_statement_lines" && $0.column == "remittance" })
        }
    }

    @Test("A CSV needs its account; a malformed file stores nothing and names the line", arguments: TestEngine.available)
    func refusals(engine: TestEngine) async throws {
        try await Self.run(on: engine) { database, fixture, imports in
            let csv = Data("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n25/11/2026,SPEI,,100.00,100.00\n26/11/2026,SPEI,,x,100.00\n".utf8)
            await #expect { try await imports.importFile(csv, fileName: "bbva.csv", profile: .bbva, lenderID: fixture.lenderID, actor: .commandLine) } throws: {
                ($0 as? APIError)?.code == "account_required"
            }
            await #expect { try await imports.importFile(csv, fileName: "bbva.csv", profile: .bbva, account: "012", lenderID: fixture.lenderID, actor: .commandLine) } throws: {
                guard let error = $0 as? APIError else { return false }
                return error.code == "csv_amount_invalid" && error.message.contains("línea 3") && error.status == .unprocessableContent
            }
            #expect(try await Self.lines(database) == 0)
            let imported = try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM statement_imports").first(decodingColumn: "n", as: Int.self) }
            #expect(imported == 0)
        }
    }

    @Test("A large statement goes in by chunks, with progress, and is counted once", arguments: TestEngine.available)
    func chunks(engine: TestEngine) async throws {
        try await Self.run(on: engine) { database, fixture, imports in
            var rows = ["FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO"]
            for index in 0..<1_000 { rows.append("25/11/2026,SPEI RECIBIDO \(index % 7),,\(100 + index).00,0.00") }
            let data = Data(rows.joined(separator: "\n").utf8)
            let seen = Counter()
            let summary = try await imports.importFile(
                data, fileName: "grande.csv", profile: .bbva, account: "012180001234567897", lenderID: fixture.lenderID, actor: .commandLine,
                progress: { done, _ in seen.set(done) }
            )
            #expect(summary.added == 1_000 && seen.value == 1_000 && summary.credits == "599500.00")
            #expect(try await Self.lines(database) == 1_000)
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = 0
        var value: Int { lock.withLock { stored } }
        func set(_ value: Int) { lock.withLock { stored = value } }
    }

    @Test("The back office imports a file through the upload form (administrador, gestor de cobranza); a bad one stores nothing and says where; other roles are refused")
    func uploadPage() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            try await makeApp(database).test(.live) { client in
                let staff = TestBrowser(client)
                try await staff.signIn("u.gestor.cobranza")
                let page = try await staff.get("/estados-bancarios")
                #expect(page.status == .ok && page.text.contains("importar-estado") && page.text.contains("Aún no se ha importado"))
                let file = try SharedFixtures.data("camt/camt053.v8.xml")
                let done = try await staff.upload("/estados-bancarios", ["formato": ""], file: ("archivo", "camt053.v8.xml", file))
                #expect(done.status == .ok && done.text.contains("<strong>1 nuevos</strong>") && done.text.contains("camt053.v8.xml"))
                try await staff.get("/estados-bancarios")
                let again = try await staff.upload("/estados-bancarios", [:], file: ("archivo", "camt053.v8.xml", file))
                #expect(again.text.contains("<strong>0 nuevos</strong>") && again.text.contains("1 ya importados antes"))
                try await staff.get("/estados-bancarios")
                let csv = Data("FECHA,DESCRIPCIÓN,CARGO,ABONO,SALDO\n25/11/2026,SPEI,,abc,100.00\n".utf8)
                let bad = try await staff.upload("/estados-bancarios", ["perfil": "bbva", "cuenta": "012180001234567897"], file: ("archivo", "bbva.csv", csv))
                #expect(bad.status == .unprocessableContent && bad.text.contains("línea 2"))
                try await staff.get("/estados-bancarios")
                let empty = try await staff.upload("/estados-bancarios", [:], file: ("archivo", "", Data()))
                #expect(empty.status == .unprocessableContent && empty.text.contains("Elija el archivo"))
                // Without the form's token nothing is imported.
                let forged = try await staff.upload("/estados-bancarios", ["csrf": "x"], file: ("archivo", "camt053.v8.xml", file))
                #expect(forged.status == .forbidden)
                #expect(try await Self.lines(database) == 1)
                let analyst = TestBrowser(client)
                try await analyst.signIn("u.analista.credito")
                #expect(try await analyst.get("/estados-bancarios").status == .forbidden)
            }
        }
    }
}
