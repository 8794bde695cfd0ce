import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera reconcile`: the imported bank deposits to their loans.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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

    func run() async throws {
        let configuration = try global.configuration()
        var until: CalendarDate?
        if let date {
            guard let parsed = CalendarDate(text: date) else { throw ValidationError("La fecha se escribe AAAA-MM-DD, por ejemplo 2026-11-27.") }
            until = parsed
        }
        let keys = try loadKeys()
        let showProgress = !json && Terminal.progressVisible
        let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.reconcile")) { database in
            let reconciliation = BankReconciliation(
                database: database, keys: keys, book: LoanBook(database: database), clabes: LoanCLABEs(database: database, range: configuration.virtualCLABEs)
            )
            let lenderID = try await StatementImports(database: database, keys: keys).lender(lender)
            return try await reconciliation.run(lenderID: lenderID, date: until, actor: .commandLine) { done, total in
                if showProgress { Terminal.progress("Depósitos conciliados: \(done) de \(total)") }
            }
        }
        if showProgress { Terminal.progress("") }
        if json { return try Terminal.printJSON(summary) }
        print("✓ \(summary.lines) depósitos revisados: \(summary.posted) aplicados a créditos ($\(summary.postedAmount)), \(summary.review) por revisar, \(summary.unidentified) sin identificar\(summary.alreadyReceived > 0 ? ", \(summary.alreadyReceived) ya recibidos por SPEI" : "").")
        if summary.review + summary.unidentified > 0 {
            print("  Los demás quedan guardados con sus candidatos (por revisar) o como depósitos sin identificar.")
        }
    }
}
