import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Reconciliation
import Store

/// `cartera reconcile`: the imported bank deposits to their loans.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Concilia los depósitos bancarios importados con los créditos.",
        discussion: """
            Un depósito a la CLABE de un crédito, con la referencia de un crédito en el concepto, o desde una cuenta que el \
            cliente ya usó por lo exigible, se aplica al crédito (una sola vez: correr el comando de nuevo no lo repite). \
            Los demás quedan por revisar con sus candidatos, o sin identificar.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Concilia los depósitos con fecha valor hasta este día, AAAA-MM-DD (hoy por omisión).")
    var date: String?

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resumen como JSON.")
    var json = false

    @Option(help: "Reglas de la financiera en JSON (autoPostScore, amountTolerance, dateWindowDays, nameSimilarity, conceptPatterns): se guardan y se usan desde ahora.")
    var rules: String?

    @Flag(help: "No concilia: compara el saldo de cada cuenta bancaria (su último estado) con Bancos en el diario a la fecha y lista lo que falta.")
    var balances = false

    func run() async throws {
        let configuration = try global.configuration()
        var until: CalendarDate?
        if let date {
            guard let parsed = CalendarDate(text: date) else { throw ValidationError("La fecha se escribe AAAA-MM-DD, por ejemplo 2026-11-27.") }
            until = parsed
        }
        let keys = try loadKeys()
        if balances { return try await checkBalances(configuration, keys: keys, date: until) }
        let showProgress = !json && Terminal.progressVisible
        let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.reconcile")) { database in
            let reconciliation = BankReconciliation(
                database: database, keys: keys, book: LoanBook(database: database), clabes: LoanCLABEs(database: database, range: configuration.virtualCLABEs)
            )
            let lenderID = try await StatementImports(database: database, keys: keys).lender(lender)
            if let rules {
                guard let data = FileManager.default.contents(atPath: rules) else { throw ValidationError("No se puede leer «\(rules)».") }
                let decoded: MatchRules
                do { decoded = try JSONDecoder().decode(MatchRules.self, from: data) } catch {
                    throw ValidationError("«\(rules)» no es un JSON de reglas: \(error.localizedDescription)")
                }
                try await reconciliation.saveRules(decoded, lenderID: lenderID, actor: .commandLine)
            }
            return try await reconciliation.run(lenderID: lenderID, date: until, actor: .commandLine) { done, total in
                if showProgress { Terminal.progress("Depósitos conciliados: \(done) de \(total)") }
            }
        }
        if showProgress { Terminal.progress("") }
        if json { return try Terminal.printJSON(summary) }
        print("✓ \(summary.lines) depósitos revisados: \(summary.posted) aplicados a créditos ($\(summary.postedAmount)), \(summary.review) por revisar, \(summary.unidentified) sin identificar\(summary.alreadyReceived > 0 ? ", \(summary.alreadyReceived) ya recibidos por SPEI" : "")\(summary.payouts > 0 ? ", \(summary.payouts) liquidaciones de pasarelas" : "").")
        if summary.review + summary.unidentified > 0 {
            print("  Los demás quedan guardados con sus candidatos (por revisar) o como depósitos sin identificar.")
        }
    }

    func checkBalances(_ configuration: AppConfiguration, keys: LiveKeys, date: CalendarDate?) async throws {
        let report = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.reconcile")) { database in
            let lenderID = try await StatementImports(database: database, keys: keys).lender(lender)
            return try await BankBalanceCheck(database: database).record(lenderID: lenderID, date: date ?? LoanBook(database: database).today(), actor: .commandLine)
        }
        if json { return try Terminal.printJSON(report) }
        print("Saldos al \(report.date):")
        for account in report.accounts { print("  Cuenta \(account.account): $\(account.balance) (estado del \(account.date))") }
        for account in report.accountsWithoutBalance { print("  Cuenta \(account): sin saldo de estado de cuenta a esa fecha; importe su estado.") }
        print("  Bancos según los estados: $\(report.statements); según el diario (1102): $\(report.ledger); diferencia $\(report.difference).")
        print("  Depósitos aún no conciliados: $\(report.unreconciledCredits) (\(report.lines.count) movimientos).")
        if report.balanced {
            print("✓ La diferencia se explica por los depósitos por conciliar.")
        } else {
            print("⚠ Diferencia sin explicar: $\(report.unexplained). Revise cargos del banco no registrados (comisiones, disposiciones) y estados faltantes.")
        }
    }
}
