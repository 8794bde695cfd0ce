import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera ledger …`: the double-entry journal.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Revisa el diario contable.",
        subcommands: [Verify.self]
    )

    /// `cartera ledger verify`: exit 0 when everything agrees, 1 naming the first difference.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verifica que cada asiento cuadre, que el diario cuadre y que los saldos de cada crédito sean los de su historia.",
            discussion: """
                Para cada crédito dispuesto recalcula su posición a partir de sus movimientos (pagos, cancelaciones, \
                castigos) y la compara cuenta por cuenta con la suma de sus partidas en el diario. Termina con 0 si todo \
                coincide y con 1 si algo no, e indica la primera diferencia.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let showProgress = !json && Terminal.progressVisible
            let started = Date()
            let report = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.ledger")) { database in
                try await LedgerVerification(database: database, book: LoanBook(database: database)).run { done, total in
                    if showProgress { Terminal.progress("Créditos revisados: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            let seconds = Date().timeIntervalSince(started)
            if json {
                try Terminal.printJSON(report)
            } else if let first = report.problems.first {
                print("✗ \(first.message)")
                if report.problems.count > 1 { print("  y \(report.problems.count - 1) diferencias más (use --json para verlas todas).") }
                print("  Revise la bitácora de auditoría (cartera audit verify) y los asientos del crédito antes de corregir nada.")
            } else {
                print("✓ El diario cuadra: \(report.entries) asientos, \(report.lines) partidas, cargos = abonos = \(QuoteDocument.amount(.mxn(centavos: report.debits))).")
                print("  \(report.loans) créditos con saldos iguales a los de su historia (\(String(format: "%.1f", seconds)) s).")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
