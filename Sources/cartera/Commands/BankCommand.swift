import App
import ArgumentParser
import CarteraCore
import Foundation
import Integrations
import Logging
import Store

/// `cartera bank`: the lender's bank API — pull movements into the bank lines, read an account's balance.
struct BankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank",
        abstract: "Trae movimientos y saldos de la API del banco (OAuth2).",
        subcommands: [Pull.self, Balance.self]
    )

    static func settings(_ global: GlobalOptions) throws -> (AppConfiguration, BankAPISettings) {
        let configuration = try global.configuration()
        guard let bank = configuration.bankAPI else {
            throw ValidationError("No hay una API bancaria configurada: defina CARTERA_BANK_API_BASE, CARTERA_BANK_CLIENT_ID y CARTERA_BANK_CLIENT_SECRET.")
        }
        return (configuration, bank)
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trae los movimientos de una cuenta entre dos fechas y los guarda como un estado de cuenta (cada movimiento una sola vez).",
            discussion: "Se leen todas las páginas antes de guardar; si el banco falla no se guarda nada. Después, cartera reconcile los concilia."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "La cuenta (CLABE) en el banco.")
        var account: String

        @Option(help: "Desde (AAAA-MM-DD; ayer si se omite).")
        var from: String?

        @Option(help: "Hasta (AAAA-MM-DD; hoy si se omite).")
        var to: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resumen como JSON.")
        var json = false

        func run() async throws {
            let (configuration, bank) = try BankCommand.settings(global)
            let today = Timestamp.now.calendarDate(utcOffsetSeconds: -6 * 3600)
            guard let to = to.map(CalendarDate.init(text:)) ?? today else { throw ValidationError("--to se escribe AAAA-MM-DD.") }
            guard let from = from.map(CalendarDate.init(text:)) ?? to.adding(days: -1) else { throw ValidationError("--from se escribe AAAA-MM-DD.") }
            let keys = try loadKeys()
            let showProgress = !json && Terminal.progressVisible
            let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.bank")) { database in
                let imports = StatementImports(database: database, keys: keys)
                return try await BankFeeds(imports: imports, bank: bank.connector()).pull(
                    account: account, from: from, to: to, lenderID: try await imports.lender(lender), actor: .commandLine,
                    progress: { done, total in if showProgress { Terminal.progress(total == 0 ? "Movimientos leídos: \(done)" : "Movimientos guardados: \(done) de \(total)") } }
                )
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(summary) }
            print("✓ \(bank.name), cuenta \(account), \(from.text) a \(to.text): \(summary.entries) movimientos leídos.")
            print("  Nuevos: \(summary.added); ya traídos antes: \(summary.duplicates). Abonos $\(summary.credits); cargos $\(summary.debits).")
            for warning in summary.warnings { print("  ⚠ \(warning)") }
            if summary.added > 0 { print("  Siguiente paso: cartera reconcile") }
        }
    }

    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra el saldo contable y disponible de una cuenta en el banco.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "La cuenta (CLABE) en el banco.")
        var account: String

        @Flag(help: "Imprime el saldo como JSON.")
        var json = false

        struct Answer: Encodable {
            let account: String
            let currency: String
            let booked: String
            let available: String?
            let date: String?
        }

        func run() async throws {
            let (_, bank) = try BankCommand.settings(global)
            let balances: BankBalances
            do {
                balances = try await bank.connector().balances(account: account)
            } catch {
                throw ValidationError(error.message)
            }
            let answer = Answer(
                account: balances.account, currency: balances.currency, booked: Money(minorUnits: balances.booked, currency: .mxn).decimalText,
                available: balances.available.map { Money(minorUnits: $0, currency: .mxn).decimalText }, date: balances.date?.text
            )
            if json { return try Terminal.printJSON(answer) }
            print("\(bank.name), cuenta \(answer.account): saldo contable $\(answer.booked)\(answer.available.map { ", disponible $\($0)" } ?? "") \(answer.currency)\(answer.date.map { " al \($0)" } ?? "").")
        }
    }
}
