@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import Logging
import SQLKit
import Store
import Testing

/// The daily bank-balance check on its schedule: yesterday's statements against the ledger, recorded per lender and
/// date, checked again while it does not balance, audited when its result changes.
@Suite("Scheduled bank balance check")
struct BankBalanceCheckServiceTests {
    static func statement(account: String, lines: [(credit: Bool, amount: String)], closing: String) -> Data {
        var text = ":20:B1\n:25:\(account)\n:28C:1/1\n:60F:C261125MXN0,00\n"
        for (index, line) in lines.enumerated() {
            text += ":61:261125\(line.credit ? "C" : "D")\(line.amount)NTRFNONREF//B-\(index)\n:86:MOVIMIENTO \(index)\n"
        }
        text += ":62F:C261125MXN\(closing)\n"
        return Data(text.utf8)
    }

    @Test("Checked from 09:00 Mexico City time for yesterday; a difference is recorded, checked again each run and audited once; a balanced day is left alone", arguments: TestEngine.available)
    func schedule(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            // 2026-11-26 08:00 in Mexico City (UTC−6).
            let clock = TestClock(Timestamp(text: "2026-11-26T14:00:00.000Z")!)
            let administration = Administration(database: database, keys: TestKeys.live, clock: clock.read, bcryptCost: 4)
            let off = try await administration.createLender(legalName: "Financiera Uno SA de CV SOFOM ENR", shortName: "Uno", rfc: "SAT970701NN3", actor: .commandLine)
            let even = try await administration.createLender(legalName: "Financiera Dos SA de CV SOFOM ENR", shortName: "Dos", rfc: "EKU9003173C9", actor: .commandLine)
            let imports = StatementImports(database: database, keys: TestKeys.live, clock: clock.read)
            // Uno: a deposit not reconciled yet (explains 1,000.00) and a bank fee the ledger does not have (−90.00).
            _ = try await imports.importFile(
                Self.statement(account: "014180655000000011", lines: [(true, "1000,00"), (false, "90,00")], closing: "910,00"),
                fileName: "uno.sta", lenderID: off, actor: .commandLine
            )
            // Dos: one deposit, not reconciled yet: the difference is explained.
            _ = try await imports.importFile(
                Self.statement(account: "014180655000000022", lines: [(true, "500,00")], closing: "500,00"), fileName: "dos.sta", lenderID: even, actor: .commandLine
            )
            let service = BankBalanceCheckService(check: BankBalanceCheck(database: database, clock: clock.read), logger: Logger(label: "test"))
            let check = BankBalanceCheck(database: database, clock: clock.read)

            // Before 09:00 nothing is checked.
            #expect(try await service.runOnce().isEmpty)
            #expect(try await check.history(lenderID: off).isEmpty)

            clock.advance(seconds: 2 * 3600)
            let first = try await service.runOnce()
            #expect(first[off]?.date == "2026-11-25" && first[off]?.statements == "910.00" && first[off]?.unreconciledCredits == "1000.00")
            #expect(first[off]?.unexplained == "-90.00" && first[off]?.balanced == false && first[off]?.complete == true)
            #expect(first[even]?.balanced == true && first[even]?.unexplained == "0.00")
            #expect(try await check.history(lenderID: off).map(\.date) == ["2026-11-25"])

            // An hour later: the difference is checked again (same result, not audited again); the balanced day is left.
            clock.advance(seconds: 3600)
            let second = try await service.runOnce()
            #expect(Array(second.keys) == [off])
            let audit = try await database.withConnection { db in
                try await db.raw("SELECT action, object_id, outcome FROM audit_log WHERE action LIKE 'bank_balance_check.%' ORDER BY sequence").all().map {
                    "\(try $0.decode(column: "action", as: String.self)) \(try $0.decode(column: "object_id", as: String.self)) \(try $0.decode(column: "outcome", as: String.self))"
                }
            }
            #expect(audit.sorted() == ["bank_balance_check.balanced \(even) success", "bank_balance_check.difference \(off) failure"].sorted())
            let stored = try await check.history(lenderID: off)
            #expect(stored.count == 1 && stored[0].unexplained == "-90.00" && !stored[0].balanced && stored[0].checkedBy == "bank-balance-check")
        }
    }
}
