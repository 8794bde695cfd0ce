@testable import App
import CarteraCore
import CarteraTestSupport
import Lending
import SQLKit
import Store
import Testing

@Suite("Loan events read as one text per loan")
struct LoanEventRowsTests {
    @Test("Every loan's events aggregated by the database parse to exactly the events read row by row (reversed ones left out)", arguments: TestEngine.available)
    func sameEvents(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await DemoData.seed(database: database, keys: TestKeys.live, bcryptCost: 4)
            _ = try await DemoPortfolio(database: database, keys: TestKeys.live).seed(lenderID: DemoData.lenderID, count: 30)
            // One payment reversed: it is no longer an event of the loan.
            let book = LoanBook(database: database)
            let paid = try #require(try await database.withConnection { db in
                try await db.raw("SELECT loan_id, id FROM loan_events WHERE kind = 'payment' ORDER BY id LIMIT 1").first()
            })
            let loanID = try paid.decode(column: "loan_id", as: String.self)
            _ = try await book.reverse(loanID, payment: try paid.decode(column: "id", as: String.self), reason: "Prueba", lenderID: DemoData.lenderID, actor: .commandLine)
            try await database.withConnection { db in
                let ids = try await db.raw("SELECT id FROM loans WHERE terms IS NOT NULL").all(decodingColumn: "id", as: String.self)
                #expect(ids.count >= 30)
                var expected: [String: [LoanEvent]] = [:]
                for row in try await db.raw(
                    "SELECT loan_id, id, sequence, kind, value_date, amount, excess FROM loan_events WHERE reversed_at IS NULL ORDER BY loan_id, sequence"
                ).all() {
                    expected[try row.decode(column: "loan_id", as: String.self), default: []].append(try LoanBook.event(row))
                }
                var read: [String: [LoanEvent]] = [:]
                for row in try await db.raw(LoanEventRows.query(SQLList(ids.map { SQLBind($0) }), on: db)).all() {
                    read[try row.decode(column: "loan_id", as: String.self)] = LoanEventRows.parse(try row.decode(column: "events", as: String.self))
                }
                #expect(read == expected)
                #expect(expected.values.reduce(0) { $0 + $1.count } > 100)
                #expect(expected[loanID]?.contains { $0.id == (try? paid.decode(column: "id", as: String.self)) } == false)
            }
        }
    }

    @Test("Rows that do not parse are refused, not guessed; a golden row")
    func malformed() {
        #expect(LoanEventRows.parse("ev_1,2,payment,2026-11-02,150000,reduce_term;ev_0,1,write_off,2026-10-01,0,") == [
            LoanEvent(id: "ev_0", sequence: 1, valueDate: CalendarDate(text: "2026-10-01")!, kind: .writeOff),
            LoanEvent(id: "ev_1", sequence: 2, valueDate: CalendarDate(text: "2026-11-02")!, kind: .payment(amount: .mxn(centavos: 150_000), excess: .reduceTerm)),
        ])
        for text in [
            "", "ev_1,2,payment,2026-11-02,150000", "ev_1,2,payment,2026-11-02,15x0,", "ev_1,,payment,2026-11-02,1,", ",2,payment,2026-11-02,1,",
            "ev_1,2,payment,2026-13-02,1,", "ev_1,2,payment,2026-11-02,99999999999999999999,", "ev_1,2,payment,2026-11-02,1,;", "ev_1,2,payment,2026-11-02,-,",
        ] {
            #expect(LoanEventRows.parse(text) == nil, "\(text)")
        }
    }
}
