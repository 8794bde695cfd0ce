@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Crypto
import Foundation
import Lending
import Reconciliation
import SQLKit
import Store
import Testing

/// Staff at the reconciliation queue: split, suspense, apply from suspense, undo with a reason; and the daily balance
/// check of the banks against the ledger.
@Suite("Reconciliation queue and bank balances")
struct ReconciliationQueueTests {
    @Test("A deposit split among two loans, one held in suspense and then applied, a wrong match undone; the banks compared with the ledger", arguments: TestEngine.available)
    func queue(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, client, first) = try await PaymentIntentPagesTests.borrowerLoan(database)
            let book = LoanBook(database: database)
            let second = try await database.transaction { db in
                try await book.apply(.init(clientId: client, productCode: "MENSUAL", amount: "3000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(second.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            try await TestFiles.complete(client, lenderID: lender, database: database)
            _ = try await book.disburse(second.id, on: book.today().adding(days: -5), channel: .spei, reference: "D-10", lenderID: lender, actor: .commandLine)
            let clabes = LoanCLABEs(database: database, range: try VirtualCLABERange(prefix: "6461801234"))
            let staff = Administration.Actor(kind: .user, id: "u.gestor.cobranza")
            let day = book.today().adding(days: -1)
            let yymmdd = String(format: "%02d%02d%02d", day.year % 100, day.month, day.day)
            // Opening 10,000.00 + 1,200.00 + 800.00 + 450.00 − 90.00 = closing 12,360.00.
            let mt940 = """
                :20:Q1
                :25:014180655000000099
                :28C:7/1
                :60F:C\(yymmdd)MXN10000,00
                :61:\(yymmdd)C1200,00NTRFNONREF//Q-1
                :86:PAGO DE DOS CREDITOS
                :61:\(yymmdd)C800,00NTRFNONREF//Q-2
                :86:DEPOSITO SIN DATOS
                :61:\(yymmdd)C450,00NTRFNONREF//Q-3
                :86:OTRO DEPOSITO
                :61:\(yymmdd)D90,00NMSCNONREF//Q-4
                :86:COMISION
                :62F:C\(yymmdd)MXN12360,00
                """
            let imports = StatementImports(database: database, keys: TestKeys.live)
            _ = try await imports.importFile(Data(mt940.utf8), fileName: "q.sta", lenderID: lender, actor: .commandLine)
            let reconciliation = BankReconciliation(database: database, keys: TestKeys.live, book: book, clabes: clabes)
            let run = try await reconciliation.run(lenderID: lender, actor: .commandLine)
            #expect(run.posted == 0 && run.unidentified == 3)
            func line(_ amount: Int64) async throws -> String {
                try await database.withConnection { db in
                    try await db.raw("SELECT id FROM bank_statement_lines WHERE amount = \(bind: amount)").first(decodingColumn: "id", as: String.self)
                }!
            }
            let (twoLoans, unknown, other) = (try await line(120_000), try await line(80_000), try await line(45_000))

            // The balance check before anything is applied: the ledger has none of it; the deposits explain 2,450.00.
            let before = try await BankBalanceCheck(database: database).run(lenderID: lender, date: book.today())
            #expect(before.accounts == [.init(account: "014180655000000099", date: day.text, balance: "12360.00")])
            #expect(before.unreconciledCredits == "2450.00" && before.lines.count == 3)

            // A split that does not add up is refused; one that does posts each share under L-n.
            await #expect(throws: APIError.self) {
                try await reconciliation.apply(lineID: twoLoans, shares: [(first.id, 50_000), (second.id, 50_000)], lenderID: lender, actor: staff)
            }
            try await reconciliation.apply(lineID: twoLoans, shares: [(first.id, 70_000), (second.id, nil)], lenderID: lender, actor: staff)
            let firstPayments = try await book.payments(first.id, lenderID: lender).filter { $0.kind == "payment" }
            let secondPayments = try await book.payments(second.id, lenderID: lender).filter { $0.kind == "payment" }
            #expect(firstPayments.map(\.amount) == ["700.00"] && firstPayments.first?.reference == "\(twoLoans)-1")
            #expect(secondPayments.map(\.amount) == ["500.00"] && secondPayments.first?.reference == "\(twoLoans)-2")

            // Held in suspense (Bancos → 2301), then applied to a loan from there (2301 → the loan).
            await #expect(throws: APIError.self) { try await reconciliation.sendToSuspense(lineID: unknown, reason: "", lenderID: lender, actor: staff) }
            try await reconciliation.sendToSuspense(lineID: unknown, reason: "Nadie reconoce el depósito", lenderID: lender, actor: staff)
            #expect(try await SPEITransferTests.balances(database, loanID: nil) == ["1102": 80_000, "2301": -80_000])
            #expect(try await reconciliation.pending(lenderID: lender).contains { $0.id == unknown && $0.status == "suspense" })
            await #expect(throws: APIError.self) { try await reconciliation.sendToSuspense(lineID: unknown, reason: "otra vez", lenderID: lender, actor: staff) }
            try await reconciliation.apply(lineID: unknown, to: second.id, lenderID: lender, actor: staff)
            let fromSuspense = try await book.payments(second.id, lenderID: lender).filter { $0.kind == "payment" && $0.reference == unknown }
            #expect(fromSuspense.map(\.channel) == ["suspenso"] && fromSuspense.map(\.amount) == ["800.00"])

            // The split was wrong: undone with a reason, both payments reversed, the line back in review.
            await #expect(throws: APIError.self) { try await reconciliation.unmatch(lineID: other, reason: "no aplica", lenderID: lender, actor: staff) }
            try await reconciliation.unmatch(lineID: twoLoans, reason: "El depósito era de otro cliente", lenderID: lender, actor: staff)
            #expect(try await book.payments(first.id, lenderID: lender).filter { $0.kind == "payment" }.allSatisfy { $0.reversal != nil })
            #expect(try await reconciliation.pending(lenderID: lender).contains { $0.id == twoLoans && $0.status == "review" })
            // Undoing the one applied from suspense puts the money back in suspense.
            try await reconciliation.unmatch(lineID: unknown, reason: "Se aplicó al crédito equivocado", lenderID: lender, actor: staff)
            #expect(try await reconciliation.pending(lenderID: lender).contains { $0.id == unknown && $0.status == "suspense" })
            #expect(try await SPEITransferTests.balances(database, loanID: nil)["2301"] == -80_000)
            // The same split made again after the undo (the reversed payments no longer hold their references).
            try await reconciliation.apply(lineID: twoLoans, shares: [(first.id, 70_000), (second.id, nil)], lenderID: lender, actor: staff)
            #expect(try await book.payments(first.id, lenderID: lender).filter { $0.kind == "payment" && $0.reversal == nil }.map(\.reference) == ["\(twoLoans)-1"])

            // Now the ledger has 1,200.00 from the statement (and 800.00 in suspense); 450.00 waits; the 90.00 fee is not
            // in the ledger, so it is the difference nothing explains. (The loans' own SPEI disbursements also left Bancos.)
            let after = try await BankBalanceCheck(database: database).run(lenderID: lender, date: book.today())
            #expect(after.unreconciledCredits == "450.00" && after.lines.map(\.id) == [other])
            let disbursed = try await database.withConnection { db in
                try await db.raw(
                    "SELECT CAST(SUM(l.debit) - SUM(l.credit) AS BIGINT) AS b FROM journal_lines l WHERE l.account = '1102'"
                ).first(decodingColumn: "b", as: Int64.self)
            } ?? 0
            #expect(after.ledger == Money(minorUnits: disbursed, currency: .mxn).decimalText)
            let unexplained = 1_236_000 - disbursed - 45_000
            #expect(after.unexplained == Money(minorUnits: unexplained, currency: .mxn).decimalText && !after.balanced)

            let report = try await LedgerVerification(database: database, book: book).run()
            #expect(report.ok, "\(report.problems)")
            let actions = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'reconciliation.%'").all(decodingColumn: "action", as: String.self)
            }
            #expect(actions.filter { $0 == "reconciliation.unmatch" }.count == 2 && actions.contains("reconciliation.suspense"))
        }
    }

    @Test("A gateway's payout is matched to its clearing account, never to a loan; more than it owes waits for review; undone, it is owed again", arguments: TestEngine.available)
    func gatewayPayouts(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, _, loan) = try await PaymentIntentPagesTests.borrowerLoan(database)
            let book = LoanBook(database: database)
            _ = try await book.pay(loan.id, .init(amount: "1000.00", channel: .stripe, reference: "pi_1"), lenderID: lender, actor: .commandLine)
            let day = book.today().adding(days: -1)
            let yymmdd = String(format: "%02d%02d%02d", day.year % 100, day.month, day.day)
            let mt940 = """
                :20:P1
                :25:014180655000000099
                :28C:8/1
                :60F:C\(yymmdd)MXN0,00
                :61:\(yymmdd)C700,00NTRFNONREF//P-1
                :86:STRIPE PAYMENTS MEXICO LIQUIDACION
                :61:\(yymmdd)C5000,00NTRFNONREF//P-2
                :86:PAYOUT STRIPE
                :62F:C\(yymmdd)MXN5700,00
                """
            _ = try await StatementImports(database: database, keys: TestKeys.live).importFile(Data(mt940.utf8), fileName: "p.sta", lenderID: lender, actor: .commandLine)
            let reconciliation = BankReconciliation(
                database: database, keys: TestKeys.live, book: book, clabes: LoanCLABEs(database: database, range: try VirtualCLABERange(prefix: "6461801234"))
            )
            let run = try await reconciliation.run(lenderID: lender, actor: .commandLine)
            #expect(run.payouts == 2 && run.posted == 0)
            func clearing() async throws -> Int64 {
                try await database.withConnection { db in
                    try await db.raw("SELECT CAST(SUM(debit) - SUM(credit) AS BIGINT) AS b FROM journal_lines WHERE account = '1103.04'").first(decodingColumn: "b", as: Int64.self)
                } ?? 0
            }
            #expect(try await clearing() == 30_000)
            let pending = try await reconciliation.pending(lenderID: lender)
            #expect(pending.count == 1 && pending[0].amount == 500_000 && pending[0].candidates.first?.rule == "gateway_payout")
            let payout = try #require(try await reconciliation.recentlyPosted(lenderID: lender).first { $0.rule == "gateway_payout" })
            #expect(try await book.payments(loan.id, lenderID: lender).filter { $0.kind == "payment" }.count == 1)
            try await reconciliation.unmatch(lineID: payout.id, reason: "Era de otra cuenta", lenderID: lender, actor: .commandLine)
            #expect(try await clearing() == 100_000)
            let report = try await LedgerVerification(database: database, book: book).run()
            #expect(report.ok, "\(report.problems)")
        }
    }

    @Test("camt lines stored under the old reference-only key are still duplicates in the same state; a booked movement is not hidden by an old pending one", arguments: TestEngine.available)
    func legacyCamtKeys(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (lender, _, _) = try await PaymentIntentPagesTests.borrowerLoan(database)
            func camt(_ root: String, _ status: String) -> Data {
                let block = root == "BkToCstmrAcctRpt" ? "Rpt" : "Stmt"
                return Data("""
                    <Document><\(root)><\(block)><Id>S-\(status)</Id><Acct><Id><Othr><Id>012180001234567897</Id></Othr></Id></Acct><Ntry><Amt Ccy="MXN">250.00</Amt>
                    <CdtDbtInd>CRDT</CdtDbtInd><Sts>\(status)</Sts><BookgDt><Dt>2026-11-26</Dt></BookgDt><AcctSvcrRef>R-77</AcctSvcrRef></Ntry></\(block)></\(root)></Document>
                    """.utf8)
            }
            let imports = StatementImports(database: database, keys: TestKeys.live)
            let legacy = SHA256.hash(data: Array("camt|012180001234567897|ref|R-77".utf8)).map { String(format: "%02x", $0) }.joined()
            // As an older Cartera stored it: a pending report of the movement under the reference alone.
            _ = try await imports.importFile(camt("BkToCstmrAcctRpt", "PDNG"), fileName: "r.xml", lenderID: lender, actor: .commandLine)
            try await database.withConnection { db in try await db.raw("UPDATE bank_statement_lines SET key_hash = \(bind: legacy)").run() }
            #expect(try await imports.importFile(camt("BkToCstmrAcctRpt", "PDNG"), fileName: "r.xml", lenderID: lender, actor: .commandLine).duplicates == 1)
            let booked = try await imports.importFile(camt("BkToCstmrStmt", "BOOK"), fileName: "s.xml", lenderID: lender, actor: .commandLine)
            #expect(booked.added == 1 && booked.duplicates == 0)
            #expect(try await imports.importFile(camt("BkToCstmrStmt", "BOOK"), fileName: "s.xml", lenderID: lender, actor: .commandLine).duplicates == 1)
        }
    }
}
