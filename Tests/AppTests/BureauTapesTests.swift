@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import CreditBureau
import Foundation
import Lending
import SQLKit
import Store
import Testing

@Suite("Credit-bureau tape from the month-end close")
struct BureauTapesTests {
    @Test("The tape needs the month's last day closed; then it carries each persona física's loan with its balance, past due and MOP, and counts the companies' loans apart", arguments: TestEngine.available)
    func monthly(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let book = LoanBook(database: database)
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            let today = book.today()
            let monthEnd = CalendarDate(year: today.year, month: today.month, day: 1)!.adding(days: -1)
            let month = String(monthEnd.text.prefix(7))
            var loans: [String: String] = [:]
            for (name, profile) in [("gloria", ClientSamples.individual), ("empresa", ClientSamples.company)] {
                let client = try await database.transaction { db in try await directory.create(profile, lenderID: lender, actor: .commandLine, on: db) }
                let loan = try await database.transaction { db in
                    try await book.apply(.init(clientId: client.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
                }
                _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
                try await TestFiles.complete(client.id, lenderID: lender, database: database)
                _ = try await book.disburse(loan.id, on: monthEnd.adding(days: -45), channel: .spei, reference: "D-\(name)", lenderID: lender, actor: .commandLine)
                loans[name] = loan.id
            }
            let gloriaLoan = loans["gloria"]!
            let tapes = BureauTapes(database: database, keys: TestKeys.live)
            let member = BuroTape.Member(code: "ZZ12345678", name: "Financiera Prueba")
            let open = try await tapes.monthly(month: month, member: member, lenderID: lender, actor: .commandLine)
            #expect(open.text == nil && open.issues == ["El día \(monthEnd.text) no está cerrado: ciérrelo (cartera close-day --date \(monthEnd.text)) y vuelva a generar la cinta."])

            _ = try await EndOfDayClose(database: database, book: book).close(lenderID: lender, through: monthEnd)
            let tape = try await tapes.monthly(month: month, member: member, lenderID: lender, actor: .commandLine)
            #expect(tape.issues.isEmpty && tape.accounts == 1 && tape.companiesLeftOut == 1 && tape.reportDate == monthEnd)
            let lines = try #require(tape.text).split(separator: "\r\n").map(String.init)
            #expect(lines.count == 3 && lines[0].hasPrefix("INTF11ZZ12345678FINANCIERA PRUEB") && lines[2].hasPrefix("TRLR"))
            let snapshot = try await database.withConnection { db in
                try await db.raw(
                    "SELECT days_past_due, principal_outstanding, overdue_interest, overdue_charges FROM loan_snapshots WHERE loan_id = \(bind: gloriaLoan) AND snapshot_date = \(bind: monthEnd.text)"
                ).first()
            }
            let row = try #require(snapshot)
            let days = try row.decode(column: "days_past_due", as: Int.self)
            let balance = try row.decode(column: "principal_outstanding", as: Int64.self) + row.decode(column: "overdue_interest", as: Int64.self) + row.decode(column: "overdue_charges", as: Int64.self)
            // Disbursed 45 days before the month's end, the first monthly installment is about two weeks late.
            #expect((10...20).contains(days))
            let account = lines[1]
            let accountNumber = String(loans["gloria"]!.dropFirst(3)).uppercased()
            #expect(account.hasPrefix("PN09HERNANDEZ0006GARCIA0206GLORIA") && account.contains("0403VER050591000"))
            #expect(account.contains("04\(accountNumber.count)\(accountNumber)") && account.contains("260202") && account.hasSuffix("9903FIN"))
            #expect(account.contains("22\(String(format: "%02d", String((balance + 50) / 100).count))\((balance + 50) / 100)"))
            #expect(account.contains("21049000") && account.contains("10013") && account.contains("1101M"))
        }
    }
}
