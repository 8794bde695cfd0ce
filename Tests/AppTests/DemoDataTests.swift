@testable import App
import CarteraCore
import CarteraTestSupport
import HummingbirdBcrypt
import SQLKit
import Lending
import Store
import Testing

@Suite("Demo data")
struct DemoDataTests {
    @Test("creates the demo lender and administrator, then renews the password on each start")
    func seeds() async throws {
        try await withTestDatabase { database in
            let first = try await DemoData.seed(database: database, keys: TestKeys.live, bcryptCost: 4)
            #expect(first.created)
            #expect(first.username == "admin")
            #expect(first.password.count == 20)
            let second = try await DemoData.seed(database: database, keys: TestKeys.live, bcryptCost: 4)
            #expect(!second.created)
            #expect(second.password != first.password)

            let rows = try await database.withConnection { db in
                try await db.raw("SELECT u.password_hash AS hash, u.role AS role, l.rfc AS rfc FROM users u JOIN lenders l ON l.id = u.lender_id").all()
            }
            #expect(rows.count == 1)
            let hash = try rows[0].decode(column: "hash", as: String.self)
            #expect(Bcrypt.verify(second.password, hash: hash))
            #expect(!Bcrypt.verify(first.password, hash: hash))
            #expect(try rows[0].decode(column: "role", as: String.self) == "administrador")
            let rfc = RFC.validate(try rows[0].decode(column: "rfc", as: String.self))
            #expect(rfc.isValid && rfc.warnings.isEmpty)
            // Three valid products, created once.
            let products = try await ProductCatalog(database: database).latest(lenderID: DemoData.lenderID)
            #expect(products.map(\.code) == ["MICRO", "NOMINA", "PERSONAL"])
            #expect(products.allSatisfy { $0.version == 1 && $0.issues().isEmpty })
        }
    }

    @Test("refuses a database that holds a real lender")
    func refusesRealData() async throws {
        try await withTestDatabase { database in
            try await database.withConnection { db in
                try await db.raw("INSERT INTO lenders (id, legal_name, short_name, rfc, created_at) VALUES ('real', 'Real', 'Real', 'SAT970701NN3', 'x')").run()
            }
            await #expect(throws: DemoData.RealDataPresent.self) { try await DemoData.seed(database: database, keys: TestKeys.live, bcryptCost: 4) }
        }
    }
}

@Suite("Demo portfolio")
struct DemoPortfolioTests {
    @Test("Clients with valid identifiers, loans in every state, payment histories; ledger verify passes", arguments: TestEngine.available)
    func portfolio(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await DemoData.seed(database: database, keys: TestKeys.live, bcryptCost: 4)
            let result = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: DemoData.lenderID, count: 40)
            #expect(result.clients >= 38, "identifiers built by the rules must validate")
            #expect(result.loans >= 40 && result.payments > 100)
            let statuses = try await database.withConnection { db in
                try await db.raw("SELECT DISTINCT status FROM loans").all(decodingColumn: "status", as: String.self)
            }
            #expect(Set(statuses).isSuperset(of: ["vigente", "liquidado"]))
            let book = LoanBook(database: database)
            let late = try await book.recent(lenderID: DemoData.lenderID, status: .active, limit: 500)
            var pastDue = 0
            for loan in late where try await book.position(loan.id, lenderID: DemoData.lenderID).1?.daysPastDue ?? 0 > 0 { pastDue += 1 }
            #expect(pastDue > 0, "some borrowers are late")
            let report = try await LedgerVerification(database: database, book: book).run()
            #expect(report.ok, "\(report.problems.prefix(3))")
            #expect(report.loans >= 36)

            // The demo's bank statement: five deposits to loans' own CLABEs and four naming the loan are posted, three
            // payers named like clients wait for review, two nobody's stay unidentified; the ledger still verifies.
            try await DemoStatement.seed(database: database, keys: TestKeys.live, lenderID: DemoData.lenderID, now: .now)
            let reconciliation = BankReconciliation(
                database: database, keys: TestKeys.live, book: book, clabes: LoanCLABEs(database: database, range: DemoStatement.range)
            )
            let summary = try await reconciliation.run(lenderID: DemoData.lenderID, actor: .commandLine)
            let expected = summary.lines == 14 && summary.posted == 9 && summary.review == 3 && summary.unidentified == 2
            // On a mismatch, which lines went where and why (the candidates' reasons name the rule and any refusal).
            let lines = expected ? [] : try await database.withConnection { db in
                try await db.raw("SELECT amount, match_status, candidates FROM bank_statement_lines ORDER BY id").all()
            }.map { row in
                [String(try row.decode(column: "amount", as: Int64.self)), try row.decode(column: "match_status", as: String.self),
                 try row.decode(column: "candidates", as: String?.self) ?? ""].joined(separator: " | ")
            }
            #expect(expected, "\(summary)\n\(lines.joined(separator: "\n"))")
            #expect(try await LedgerVerification(database: database, book: book).run().ok)
        }
    }
}
