@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import Lending
import SQLKit
import Store
import Testing

@Suite("Loan terms compaction")
struct LoanTermsCompactionTests {
    @Test("Terms stored in the earlier shape are re-stored compact and read the same; unreadable ones are listed and left; a rerun finds nothing to do", arguments: TestEngine.available)
    func compacts(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, _, loan) = try await PaymentIntentPagesTests.borrowerLoan(database)
            let book = LoanBook(database: database)
            let before = try #require(try await book.position(loan.id, lenderID: lender).1)
            let (compactText, version) = try await database.withConnection { db in
                let row = try #require(try await db.raw("SELECT terms, row_version FROM loans WHERE id = \(bind: loan.id)").first())
                return (try row.decode(column: "terms", as: String.self), try row.decode(column: "row_version", as: Int64.self))
            }
            // The earlier shape: the schedule as an array of installment objects instead of compact rows.
            var object = try #require(try JSONSerialization.jsonObject(with: Data(compactText.utf8)) as? [String: Any])
            object.removeValue(forKey: "scheduleRows")
            object["schedule"] = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(before.terms.schedule))
            let earlier = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            #expect(earlier.contains("\"schedule\":[{") && !earlier.contains("scheduleRows"))
            // A second loan's terms are damaged beyond reading.
            let damaged = try await database.withConnection { db in
                try await db.raw("UPDATE loans SET terms = \(bind: earlier) WHERE id = \(bind: loan.id)").run()
                try await db.raw(
                    """
                    INSERT INTO loans (id, lender_id, client_id, product_code, product_version, status, amount, term, terms, disbursed_on, ledger_date,
                        next_sequence, row_version, created_at, created_by, updated_at)
                    SELECT 'ln_damaged', lender_id, client_id, product_code, product_version, status, amount, term, '{"amount":"1.00"}', disbursed_on, ledger_date,
                        next_sequence, 1, created_at, created_by, updated_at
                    FROM loans WHERE id = \(bind: loan.id)
                    """
                ).run()
                return "ln_damaged"
            }
            let compaction = LoanTermsCompaction(database: database)
            let dry = try await compaction.run(dryRun: true, actor: .commandLine)
            #expect(dry == .init(dryRun: true, loans: 2, compact: 0, restored: 1, skipped: 0, unreadable: [damaged]))
            #expect(try await database.withConnection { db in
                try await db.raw("SELECT terms FROM loans WHERE id = \(bind: loan.id)").first(decodingColumn: "terms", as: String.self)
            } == earlier)

            let done = try await compaction.run(dryRun: false, actor: .commandLine)
            #expect(done == .init(dryRun: false, loans: 2, compact: 0, restored: 1, skipped: 0, unreadable: [damaged]))
            let after = try await database.withConnection { db in
                let row = try #require(try await db.raw("SELECT terms, row_version FROM loans WHERE id = \(bind: loan.id)").first())
                return (try row.decode(column: "terms", as: String.self), try row.decode(column: "row_version", as: Int64.self))
            }
            #expect(after.0 == compactText && after.1 > version)
            #expect(try await book.position(loan.id, lenderID: lender).1 == before)
            #expect(try await compaction.run(dryRun: false, actor: .commandLine) == .init(dryRun: false, loans: 2, compact: 1, restored: 0, skipped: 0, unreadable: [damaged]))
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'loans.terms_restored'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 2)
        }
    }
}
