import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera generate`: a synthetic portfolio for tests, demos and benchmarks.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Genera una cartera sintética: clientes con CURP y RFC válidos, créditos de los productos del otorgante e historiales de pago.",
        discussion: """
            Todo pasa por los mismos caminos que el trabajo real (directorio de clientes, libro de créditos), así que el diario \
            generado es un diario real: cartera ledger verify debe pasar. Usa los productos del otorgante (créelos antes o use \
            la base de demostración). La misma semilla da la misma cartera.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Número de clientes.")
    var clients: Int

    @Option(help: "Número de créditos (al menos uno por cliente); por omisión uno por cliente y un segundo para uno de cada diez.")
    var loans: Int?

    @Option(help: "Semilla: la misma da la misma cartera.")
    var seed: UInt64 = 2026

    @Option(name: .customLong("as-of"), help: "Día hasta el que corren los historiales, AAAA-MM-DD (hoy por omisión).")
    var asOf: String?

    @Option(name: .customLong("late-share"), help: "Porcentaje de acreditados que pagan tarde (dos tercios) o dejan de pagar (un tercio).")
    var lateShare = 27

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resumen como JSON.")
    var json = false

    struct Summary: Encodable {
        let clients: Int
        let loans: Int
        let payments: Int
    }

    func validate() throws {
        guard (1...10_000_000).contains(clients) else { throw ValidationError("--clients va de 1 a 10,000,000.") }
        if let loans, loans < clients { throw ValidationError("--loans no puede ser menor que --clients (cada cliente tiene al menos un crédito).") }
        guard (0...95).contains(lateShare) else { throw ValidationError("--late-share va de 0 a 95 (por ciento).") }
    }

    func run() async throws {
        let configuration = try global.configuration()
        var day: CalendarDate?
        if let asOf {
            guard let parsed = CalendarDate(text: asOf) else { throw ValidationError("La fecha se escribe AAAA-MM-DD, por ejemplo 2026-11-26.") }
            day = parsed
        }
        let keys = try loadKeys()
        let showProgress = !json && Terminal.progressVisible
        let result = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.generate")) { database in
            let book = LoanBook(database: database)
            if let day, day > book.today() { throw ValidationError("--as-of no puede ser posterior a hoy (\(book.today().text)).") }
            let lenderID = try await EndOfDayClose(database: database, book: book).lender(lender)
            return try await DemoPortfolio(database: database, keys: keys).seed(
                lenderID: lenderID, count: clients, loans: loans, lateShare: lateShare, asOf: day, seed: seed
            ) { done, total in
                if showProgress { Terminal.progress("Clientes generados: \(done) de \(total)") }
            }
        }
        if showProgress { Terminal.progress("") }
        let summary = Summary(clients: result.clients, loans: result.loans, payments: result.payments)
        if json { return try Terminal.printJSON(summary) }
        if summary.loans == 0 {
            print("✗ No se generó ningún crédito: el otorgante no tiene productos. Cree uno (cartera serve → Productos) y vuelva a intentar.")
            throw ExitCode(1)
        }
        print("✓ \(summary.clients) clientes, \(summary.loans) créditos y \(summary.payments) pagos generados.")
    }
}
