import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import Lending
import NIOConcurrencyHelpers
import SQLKit
import Sandbox
import Store
import Testing

@testable import App

@Suite("Bank API movements into the statement pipeline")
struct BankFeedTests {
    @Test("Pulled movements are stored once, reconciled like a statement's, and a bank that is down stores nothing", arguments: TestEngine.available)
    func pullAndReconcile(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let fixture = try await LoanFixture.make(database)
            let book = LoanBook(database: database)
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: fixture.clientID, productCode: "MENSUAL", amount: "10000.00", term: 3), lenderID: fixture.lenderID, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: fixture.lenderID, actor: .commandLine)
            _ = try await book.disburse(loan.id, on: book.today().adding(days: -20), channel: .transfer, reference: "T-1", lenderID: fixture.lenderID, actor: .commandLine)
            let clabes = LoanCLABEs(database: database, range: try VirtualCLABERange(prefix: "6461809999"))
            let clabe = try #require(try await clabes.clabe(of: loan.id, lenderID: fixture.lenderID))

            let sandbox = BankSandbox()
            let router = Router()
            sandbox.add(to: router, prefix: "/bank")
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                let base = "http://127.0.0.1:\(client.port!)/bank"
                let settings = BankAPISettings(apiBase: { base }, clientID: BankSandbox.clientID, clientSecret: BankSandbox.clientSecret, name: "Banco sandbox")
                let imports = StatementImports(database: database, keys: TestKeys.live)
                let feeds = BankFeeds(imports: imports, bank: settings.connector())
                let today = book.today()
                sandbox.addMovement(amount: .mxn(centavos: 150_000), date: today, description: "SPEI RECIBIDO", reference: "REF1", trackingKey: "BANORTE123", counterpartyName: "ANA LOPEZ", counterpartyAccount: clabe)
                sandbox.addMovement(amount: .mxn(centavos: -1_500), date: today, description: "COMISION SPEI")
                let pending = sandbox.addMovement(amount: .mxn(centavos: 70_000), date: today, description: "DEPOSITO EN TRANSITO", counterpartyAccount: clabe, pending: true)

                let first = try await feeds.pull(account: BankSandbox.lenderAccount, from: today.adding(days: -1), to: today, lenderID: fixture.lenderID, actor: .commandLine)
                #expect(first.format == "api" && first.entries == 3 && first.added == 3 && first.credits == "1500.00" && first.debits == "15.00")
                #expect(first.warnings.contains { $0.contains("1 movimiento pendiente") })
                let again = try await feeds.pull(account: BankSandbox.lenderAccount, from: today.adding(days: -1), to: today, lenderID: fixture.lenderID, actor: .commandLine)
                #expect(again.added == 0 && again.duplicates == 3)
                // The pending movement is booked at the bank: stored again as booked (the pending line never reconciles).
                sandbox.book(pending)
                let booked = try await feeds.pull(account: BankSandbox.lenderAccount, from: today, to: today, lenderID: fixture.lenderID, actor: .commandLine)
                #expect(booked.added == 1 && booked.duplicates == 2)

                let reconciliation = BankReconciliation(database: database, keys: TestKeys.live, book: book, clabes: clabes)
                let summary = try await reconciliation.run(lenderID: fixture.lenderID, actor: .commandLine)
                #expect(summary.posted == 2 && summary.postedAmount == "2200.00")
                let payments = try await book.payments(loan.id, lenderID: fixture.lenderID)
                #expect(payments.map(\.amount).sorted() == ["1500.00", "700.00"])

                // The bank down: a clear error, nothing stored.
                sandbox.faults.set(.status(503))
                let down = await #expect(throws: APIError.self) {
                    try await feeds.pull(account: BankSandbox.lenderAccount, from: today, to: today, lenderID: fixture.lenderID, actor: .commandLine)
                }
                #expect(down?.code == "bank_unavailable" && down?.status == .serviceUnavailable)
                sandbox.faults.clear()
                let count = try await database.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM statement_imports").first(decodingColumn: "n", as: Int.self)
                }
                #expect(count == 3)
                let unconfigured = BankFeeds(imports: imports, bank: nil)
                await #expect(throws: APIError.self) { try await unconfigured.pull(account: "1", from: today, to: today, lenderID: fixture.lenderID, actor: .commandLine) }
            }
        }
    }
}
