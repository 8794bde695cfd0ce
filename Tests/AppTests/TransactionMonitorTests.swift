@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Compliance
import Foundation
import Lending
import SQLKit
import Store
import Testing

@Suite("PLD monitoring on the posting path")
struct TransactionMonitorTests {
    struct Stored: Equatable, CustomStringConvertible {
        let operation: String
        let rule: String
        let report: String
        let inCase: Bool
        let resolved: Bool
        var description: String { "\(operation) \(rule) \(report) \(inCase) \(resolved)" }
    }

    @Test("Payments and the disbursement are recorded and evaluated as they are posted: inusuales in one case for the client, relevantes and data gaps without one; a rate loaded later resolves the gap and reports the relevante; the UIF files are built from them", arguments: TestEngine.available)
    func postingPath(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let book = LoanBook(database: database)
            let today = book.today()
            func day(_ offset: Int64) -> CalendarDate { today.adding(days: offset) }

            // USD 500.00 is relevante here (8,500.00 MXN at 17.00); 3 cash payments within 10 % under it are fraccionamiento.
            let published = try await MonitoringRuleBook(database: database).publish(
                MonitoringRules(relevantDollars: Money(minorUnits: 50_000, currency: .usd), structuringWindowDays: 30, structuringCount: 3), actor: .commandLine
            )
            #expect(published.version == 2)
            let rates = ExchangeRateTable(database: database)
            _ = try await rates.importRates([day(-45), day(-6), day(-2)].map { .init(date: $0, pesoMillionthsPerDollar: 17_000_000) }, source: "prueba", actor: .commandLine)

            let client = try await database.transaction { db in
                try await ClientDirectory(database: database, keys: TestKeys.live).create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db)
            }
            let profiles = TransactionalProfiles(database: database, keys: TestKeys.live)
            let refused = await #expect(throws: APIError.self) {
                _ = try await profiles.declare(clientID: client.id, monthlyAmount: "0", monthlyOperations: 0, instruments: ["bitcoin"], sourceOfFunds: "", lenderID: lender, actor: .commandLine)
            }
            #expect(refused?.details.map(\.field) == ["monthlyAmount", "monthlyOperations", "instruments", "sourceOfFunds"])
            _ = try await profiles.declare(
                clientID: client.id, monthlyAmount: "5000.00", monthlyOperations: 2, instruments: ["transferencia"], sourceOfFunds: "Sueldo como comerciante", lenderID: lender, actor: .commandLine
            )
            #expect(try await profiles.history(clientID: client.id, lenderID: lender).first?.sourceOfFunds == "Sueldo como comerciante")

            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: client.id, productCode: "MENSUAL", amount: "60000.00", term: 6), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            try await TestFiles.complete(client.id, lenderID: lender, database: database)
            _ = try await book.disburse(loan.id, on: day(-45), channel: .spei, reference: "D-1", lenderID: lender, actor: .commandLine)
            var named: [String: String] = [:]
            for (name, amount, offset) in [("P0", "9000.00", -35), ("P1", "8000.00", -4), ("P2", "8100.00", -3), ("P3", "8200.00", -2), ("P4", "9000.00", -1)] as [(String, String, Int64)] {
                named[try await book.pay(loan.id, .init(amount: amount, valueDate: day(offset).text, channel: .cash), lenderID: lender, actor: .commandLine).id] = name
            }
            let payments = named

            func stored() async throws -> [Stored] {
                try await database.withConnection { db in
                    try await db.raw("SELECT operation_id, rule, report, case_id, resolved_at FROM compliance_alerts ORDER BY operation_date, rule").all().map {
                        Stored(
                            operation: payments[try $0.decode(column: "operation_id", as: String.self)] ?? "?", rule: try $0.decode(column: "rule", as: String.self),
                            report: try $0.decode(column: "report", as: String.self), inCase: try $0.decode(column: "case_id", as: String?.self) != nil,
                            resolved: try $0.decode(column: "resolved_at", as: String?.self) != nil
                        )
                    }
                }
            }
            #expect(try await stored() == [
                Stored(operation: "P0", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P0", rule: "sin_tipo_de_cambio", report: "dato_faltante", inCase: false, resolved: false),
                Stored(operation: "P1", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P2", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P3", rule: "fraccionamiento", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P3", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P4", rule: "efectivo_relevante", report: "relevante", inCase: false, resolved: false),
                Stored(operation: "P4", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P4", rule: "operaciones_sobre_perfil", report: "inusual", inCase: true, resolved: false),
            ])
            let operations = try await database.withConnection { db in
                try await db.raw("SELECT id, instrument, kind FROM compliance_operations ORDER BY business_date").all().map { row -> String in
                    // The disbursement has an id of its own (a loan disbursed again is a new operation).
                    let id = try row.decode(column: "id", as: String.self)
                    let name = payments[id] ?? (id.hasPrefix("disp_") ? "D" : "?")
                    return "\(name) \(try row.decode(column: "kind", as: String.self)) \(try row.decode(column: "instrument", as: String.self))"
                }
            }
            #expect(operations == ["D disposicion transferencia", "P0 pago efectivo", "P1 pago efectivo", "P2 pago efectivo", "P3 pago efectivo", "P4 pago efectivo"])

            // One monitoring case holds every inusual of the client, with its alerts.
            let cases = ComplianceCases(database: database, keys: TestKeys.live)
            let open = try await cases.list(lenderID: lender)
            #expect(open.count == 1 && open[0].origin == "monitoreo" && open[0].kind == .unusual && open[0].clientId == client.id)
            let detail = try await cases.detail(open[0].id, lenderID: lender)
            #expect(detail.alerts.count == 7 && detail.record.summary.hasPrefix("Alertas de monitoreo (reglas versión 2): Operaciones por 9000.00 MXN en 30 días"))

            // While the gap is open the quarter it falls in cannot be reported.
            let gapQuarter = "\(day(-35).year)Q\((day(-35).month - 1) / 3 + 1)"
            let blocked = try await UIFReports(database: database, keys: TestKeys.live).relevantes(
                quarter: gapQuarter, filer: UIFReport.Filer(entity: "060731", locality: "30087001", postalCode: "91000"), catalogs: UIFCatalogs(), lenderID: lender, actor: .commandLine
            )
            #expect(blocked.text == nil && blocked.issues.first == "Hay 1 operación(es) en efectivo del trimestre sin tipo de cambio: cargue el FIX con cartera monitoring rates y vuelva a generar el reporte.")

            // The missing day's rate arrives: the gap is resolved and the payment turns out relevante.
            let summary = try await rates.importRates([.init(date: day(-36), pesoMillionthsPerDollar: 17_000_000)], source: "prueba", actor: .commandLine)
            #expect(summary.added == 1 && summary.gapsResolved == 1)
            let after = try await stored()
            #expect(after.filter { $0.operation == "P0" } == [
                Stored(operation: "P0", rule: "efectivo_relevante", report: "relevante", inCase: false, resolved: false),
                Stored(operation: "P0", rule: "monto_sobre_perfil", report: "inusual", inCase: true, resolved: false),
                Stored(operation: "P0", rule: "sin_tipo_de_cambio", report: "dato_faltante", inCase: false, resolved: true),
            ])
            #expect(try await rates.importRates([.init(date: day(-36), pesoMillionthsPerDollar: 17_000_000)], source: "prueba", actor: .commandLine).gapsResolved == 0)
            // A corrected rate values again what it valued: at 20.00 P0's 9,000.00 is USD 450, no longer relevante; back at 17.00 it is.
            func relevante(_ name: String) async throws -> Bool { try await stored().contains { $0.operation == name && $0.rule == "efectivo_relevante" } }
            #expect(try await rates.importRates([.init(date: day(-36), pesoMillionthsPerDollar: 20_000_000)], source: "corrección", actor: .commandLine).changed == 1)
            #expect(try await relevante("P0") == false)
            _ = try await rates.importRates([.init(date: day(-36), pesoMillionthsPerDollar: 17_000_000)], source: "corrección", actor: .commandLine)
            #expect(try await relevante("P0") == true)
            // A rate typed a digit short (1.70) is refused whole, naming the day.
            do {
                _ = try await rates.importRates([.init(date: day(-37), pesoMillionthsPerDollar: 17_000_000), .init(date: day(-38), pesoMillionthsPerDollar: 1_700_000)], source: "prueba", actor: .commandLine)
                Issue.record("an implausible rate was taken")
            } catch let error as APIError {
                #expect(error.code == "exchange_rate_implausible" && error.message.hasSuffix("\(day(-38).text) = 1.70"))
            }

            // The UIF files: without catalogue keys nothing is written and the missing keys are named.
            let reports = UIFReports(database: database, keys: TestKeys.live)
            let filer = UIFReport.Filer(entity: "060731", locality: "30087001", postalCode: "91000")
            let quarterOf = { (date: CalendarDate) in "\(date.year)Q\((date.month - 1) / 3 + 1)" }
            let quarter = quarterOf(day(-1))
            let missing = try await reports.relevantes(quarter: quarter, filer: filer, catalogs: UIFCatalogs(), lenderID: lender, actor: .commandLine)
            #expect(missing.text == nil && missing.issues.first?.hasPrefix("Falta la clave de actividad económica de «Comerciante»") == true)
            let catalogs = try UIFCatalogs.parse(Array("catalogo,texto,clave\nactividad,COMERCIANTE,8944098\nlocalidad,\"Xálapa, vz\",30087001\n".utf8))
            let relevantes = try await reports.relevantes(quarter: quarter, filer: filer, catalogs: catalogs, lenderID: lender, actor: .commandLine)
            let inQuarter = [day(-35), day(-1)].filter { quarterOf($0) == quarter }
            #expect(relevantes.records == inQuarter.count && relevantes.issues.isEmpty)
            let rows = try #require(relevantes.text).split(separator: "\r\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.count == inQuarter.count && rows.allSatisfy { $0.count == 36 })
            let last = try #require(rows.last)
            #expect(last[0] == "1" && last[7] == "09" && last[8] == "01" && last[10] == "9000.00" && last[11] == "MXN" && last[12] == day(-1).text.replacingOccurrences(of: "-", with: ""))
            #expect(last[17] == "GLORIA" && last[20] == ClientSamples.rfc && last[21] == "HEGG560427MVZRRL04" && last[25] == "30087001" && last[27] == "8944098")

            // The committee decides the monitoring case reportable: it goes out as inusuales, one record per operation.
            _ = try await cases.advance(open[0].id, step: .startAnalysis, note: nil, lenderID: lender, actor: .commandLine)
            _ = try await cases.advance(open[0].id, step: .decide(.reportable), note: "Pagos en efectivo fraccionados sin justificación", lenderID: lender, actor: .commandLine)
            let inusuales = try await reports.inusuales(reportDate: today, filer: filer, catalogs: catalogs, lenderID: lender, actor: .commandLine)
            #expect(inusuales.caseIds == [open[0].id] && inusuales.records == 5 && inusuales.issues.isEmpty)
            let unusualRows = try #require(inusuales.text).split(separator: "\r\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
            #expect(unusualRows.map { $0[2] } == ["000001", "000002", "000003", "000004", "000005"] && unusualRows.allSatisfy { $0[0] == "2" && $0[28] == "00" })
            #expect(unusualRows[0][34].hasPrefix("ALERTAS DE MONITOREO") && unusualRows[0][35] == "PAGOS EN EFECTIVO FRACCIONADOS SIN JUSTIFICACIÓN")

            // A payment recorded in error and reversed leaves the relevantes; the case it raised stays for compliance.
            let p4 = try #require(payments.first { $0.value == "P4" }?.key)
            _ = try await book.reverse(loan.id, payment: p4, reason: "Capturado dos veces por error", lenderID: lender, actor: .commandLine)
            let corrected = try await reports.relevantes(quarter: quarter, filer: filer, catalogs: catalogs, lenderID: lender, actor: .commandLine)
            #expect(corrected.records == inQuarter.count - 1 && corrected.issues.isEmpty)
            let reversed = try await database.withConnection { db in
                try await db.raw("SELECT reversed_at FROM compliance_operations WHERE id = \(bind: p4)").first(decodingColumn: "reversed_at", as: String?.self)
            }
            #expect(reversed != nil && reversed! != nil)
            #expect(try await cases.detail(open[0].id, lenderID: lender).alerts.count == 7)
        }
    }

    @Test("Fraccionamiento over the whole window: three cash payments ten days apart, each valued at its own day's rate, raise it", arguments: TestEngine.available)
    func structuringAcrossTheWindow(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let book = LoanBook(database: database)
            let today = book.today()
            _ = try await MonitoringRuleBook(database: database).publish(MonitoringRules(relevantDollars: Money(minorUnits: 50_000, currency: .usd)), actor: .commandLine)
            // A rate on each payment's day only: an earlier payment is more than a week from the last one's rate.
            _ = try await ExchangeRateTable(database: database).importRates(
                [-25, -15, -5].map { ExchangeRates.Rate(date: today.adding(days: $0), pesoMillionthsPerDollar: 17_000_000) }, source: "prueba", actor: .commandLine
            )
            let client = try await database.transaction { db in
                try await ClientDirectory(database: database, keys: TestKeys.live).create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db)
            }
            let loan = try await database.transaction { db in
                try await book.apply(.init(clientId: client.id, productCode: "MENSUAL", amount: "60000.00", term: 6), lenderID: lender, actor: .commandLine, on: db)
            }
            _ = try await book.decide(loan.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
            try await TestFiles.complete(client.id, lenderID: lender, database: database)
            _ = try await book.disburse(loan.id, on: today.adding(days: -40), channel: .spei, reference: "D-1", lenderID: lender, actor: .commandLine)
            var last = ""
            for offset in [-25, -15, -5] as [Int64] {
                last = try await book.pay(loan.id, .init(amount: "8000.00", valueDate: today.adding(days: offset).text, channel: .cash), lenderID: lender, actor: .commandLine).id
            }
            let third = last
            let rules = try await database.withConnection { db in
                try await db.raw("SELECT rule FROM compliance_alerts WHERE operation_id = \(bind: third)").all(decodingColumn: "rule", as: String.self)
            }
            #expect(rules == ["fraccionamiento"])
        }
    }
}
