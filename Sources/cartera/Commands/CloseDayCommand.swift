import App
import ArgumentParser
import CarteraCore
import Foundation
import LoanCollections
import Logging
import Store

/// `cartera close-day`: the end-of-day close, through a date.
struct CloseDayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close-day",
        abstract: "Cierra el día: devengo, días de atraso, cartera vencida y la foto diaria de cada crédito.",
        discussion: """
            Cierra cada día después del último cerrado, uno por uno, hasta la fecha (ayer por omisión; la primera vez, solo \
            esa fecha). Puede interrumpirse y volver a correr: continúa donde quedó sin repetir nada. Varias instancias \
            sobre PostgreSQL se reparten los créditos.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Cierra hasta este día, AAAA-MM-DD (ayer por omisión).")
    var date: String?

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resumen como JSON.")
    var json = false

    @Option(help: "Rangos de días de atraso de la financiera en JSON ([{\"code\",\"label\",\"minDays\",\"maxDays\"}], el último sin máximo): se guardan y se usan desde el próximo día que se cierre.")
    var buckets: String?

    func run() async throws {
        let configuration = try global.configuration()
        let target = try optionalDay(date)
        let showProgress = !json && Terminal.progressVisible
        let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.close-day")) { database in
            let book = LoanBook(database: database)
            let close = EndOfDayClose(database: database, book: book)
            let lenderID = try await close.lender(lender)
            if let buckets {
                guard let data = FileManager.default.contents(atPath: buckets) else { throw ValidationError("No se puede leer «\(buckets)».") }
                let ranges: DelinquencyBuckets
                do { ranges = try JSONDecoder().decode(DelinquencyBuckets.self, from: data) } catch let error as DelinquencyBuckets.Invalid {
                    throw ValidationError("Los rangos de «\(buckets)» no sirven: " + error.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
                } catch {
                    throw ValidationError("«\(buckets)» no es un JSON de rangos: \(error.localizedDescription)")
                }
                try await CollectionSettings.setBuckets(ranges, lenderID: lenderID, actor: .commandLine, database: database, now: .now)
            }
            return try await close.close(lenderID: lenderID, through: target ?? book.today().adding(days: -1)) { day, done, total in
                if showProgress { Terminal.progress("Cierre del \(day.text): \(done) de \(total) créditos") }
            }
        }
        if showProgress { Terminal.progress("") }
        if json { return try Terminal.printJSON(summary) }
        if summary.days.isEmpty {
            print("✓ Nada que cerrar: el último día cerrado es el \(summary.closedThrough ?? "—").")
            return
        }
        for day in summary.days {
            print("✓ \(day.date): \(day.loans) créditos cerrados (\(day.accruals) asientos de devengo); \(day.snapshots) con foto del día.")
            for exception in day.exceptions {
                print("  ✗ \(exception.loanId): \(exception.message) [\(exception.code)] — quedó fuera del cierre; corrija el crédito y revíselo.")
            }
        }
        print("  Último día cerrado: \(summary.closedThrough ?? "—").")
    }
}
