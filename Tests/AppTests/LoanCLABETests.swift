@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import HummingbirdTesting
import SQLKit
import Store
import Testing

/// A CLABE per loan from the lender's range: numbered in order, never two loans per CLABE, found back by CLABE.
@Suite("Loan CLABEs")
struct LoanCLABETests {
    @Test("Loans get consecutive valid CLABEs of the range, once each, even when asked at the same time", arguments: TestEngine.available)
    func consecutiveAndOnce(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, client, first) = try await PaymentIntentPagesTests.borrowerLoan(database)
            let book = LoanBook(database: database)
            var loans = [first.id]
            for index in 0..<3 {
                let applied = try await database.transaction { db in
                    try await book.apply(.init(clientId: client, productCode: "MENSUAL", amount: "\(5000 + index).00", term: 3), lenderID: lender, actor: .commandLine, on: db)
                }
                loans.append(applied.id)
            }
            let range = try VirtualCLABERange(prefix: "6461801234")
            let clabes = LoanCLABEs(database: database, range: range)
            // Eight requests for four loans at once: each loan one CLABE, numbers 1 to 4.
            let results = try await withThrowingTaskGroup(of: (String, String?).self) { group in
                for loan in loans + loans { group.addTask { (loan, try await clabes.clabe(of: loan, lenderID: lender)) } }
                var results: [(String, String?)] = []
                for try await result in group { results.append(result) }
                return results
            }
            let byLoan = Dictionary(grouping: results, by: \.0).mapValues { Set($0.compactMap(\.1)) }
            #expect(byLoan.values.allSatisfy { $0.count == 1 })
            let assigned = byLoan.values.compactMap(\.first)
            #expect(Set(assigned.compactMap { range.number(of: $0) }) == [1, 2, 3, 4] && assigned.allSatisfy { CLABE.validate($0).isValid })
            for loan in loans {
                let clabe = try #require(try await clabes.clabe(of: loan, lenderID: lender))
                #expect(try await clabes.loan(owning: clabe)?.loanID == loan)
            }
            #expect(try await clabes.loan(owning: "646180123400000999") == nil)
            // Without a range nothing is handed out, but what was stays the loan's.
            let none = LoanCLABEs(database: database, range: nil)
            #expect(try await none.clabe(of: loans[0], lenderID: lender) == byLoan[loans[0]]?.first)
        }
    }

    @Test("The borrower sees the loan's CLABE in the portal and on the statement; staff on the statement")
    func shownToBorrowerAndStaff() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (_, _, loan) = try await PaymentIntentPagesTests.borrowerLoan(database)
            try await makeApp(database, configure: { $0.virtualCLABEs = try? VirtualCLABERange(prefix: "6461801234") }).test(.live) { client in
                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                let page = try await borrower.get("/portal/creditos/\(loan.id)")
                #expect(page.text.contains("646180123400000010"))  // number 1 of the range, check digit 0
                #expect(try await borrower.get("/portal/creditos/\(loan.id)/estado-de-cuenta").text.contains("646180123400000010"))
            }
        }
    }
}
