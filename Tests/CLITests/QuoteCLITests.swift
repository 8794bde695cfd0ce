import CarteraTestSupport
import Foundation
import Testing

@Suite("cartera quote")
struct QuoteCLITests {
    struct Document: Decodable {
        struct Row: Decodable {
            let number: Int
            let dueDate: String
            let payment: String
            let interest: String
            let iva: String
            let principal: String
            let balance: String
        }
        let payment: String
        let cat: String
        let totalPaid: String
        let installments: [Row]
    }

    @Test("T3 through the command line: JSON with decimal strings, and a table with the CAT legend")
    func quote() async throws {
        let arguments = ["quote", "--principal", "10000", "--annual-rate", "60", "--term", "12", "--frequency", "mensual", "--method", "french",
                         "--iva", "16", "--opening-fee", "200", "--start", "2026-01-15"]
        let json = try await CLI.run(arguments + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try JSONDecoder().decode(Document.self, from: Data(json.stdout.utf8))
        #expect(document.payment == "1179.73")
        #expect(document.cat == "87.0")
        #expect(document.installments.count == 12)
        let first = try #require(document.installments.first)
        #expect([first.dueDate, first.payment, first.interest, first.iva, first.principal, first.balance]
                == ["2026-02-15", "1179.73", "500.00", "80.00", "599.73", "9400.27"])
        #expect(document.installments.last?.payment == "1179.67")
        // 11 × 1,179.73 + 1,179.67 + fee 200 + its IVA 32
        #expect(document.totalPaid == "14388.70")

        let table = try await CLI.run(arguments)
        #expect(table.status == 0)
        #expect(table.stdout.contains("CAT 87.0% sin IVA. Para fines informativos y de comparación."))
        #expect(table.stdout.contains("1,179.73"))

        let bad = try await CLI.run(["quote", "--principal", "diez mil", "--annual-rate", "60", "--term", "12"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("no es una cantidad válida"))
    }
}
