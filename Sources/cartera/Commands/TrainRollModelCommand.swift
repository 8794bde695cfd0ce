import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera train-roll-model`: trains the lender's roll-risk model on its own loans and reports its holdout AUC.
struct TrainRollModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-roll-model",
        abstract: "Entrena el modelo de riesgo de cobranza (probabilidad de empeorar de rango en 30 días) con la historia de la financiera.",
        discussion: """
            Reconstruye la foto de cada crédito al final de los últimos meses y si 30 días después estaba en un rango de atraso \
            peor; ajusta una regresión logística con el 70 % de los ejemplos y mide el AUC con el 30 % restante. El modelo \
            queda guardado con su versión y ordena la lista de gestión (/cobranza/gestion).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Día de referencia, AAAA-MM-DD (hoy por omisión).")
    var asOf: String?

    @Option(help: "Máximo de créditos a usar.")
    var loans = 5_000

    @Option(help: "Meses de historia por crédito.")
    var months = 6

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func validate() throws {
        guard (1...1_000_000).contains(loans) else { throw ValidationError("--loans va de 1 a 1,000,000.") }
        guard (1...36).contains(months) else { throw ValidationError("--months va de 1 a 36.") }
    }

    func run() async throws {
        let configuration = try global.configuration()
        let day = try optionalDay(asOf)
        let result = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.train")) { database in
            let book = LoanBook(database: database)
            let lenderID = try await EndOfDayClose(database: database, book: book).lender(lender)
            do {
                return try await RollRiskTraining(database: database, book: book).train(
                    lenderID: lenderID, asOf: day ?? book.today(), maxLoans: loans, months: months, actor: .commandLine
                )
            } catch let refusal as CollectionRefusal {
                throw ValidationError(refusal.message)
            }
        }
        if json { return try Terminal.printJSON(result) }
        print("✓ Modelo v\(result.version): \(result.examples) ejemplos (\(result.training) para entrenar, \(result.holdout) reservados); empeoró el \(String(format: "%.1f", result.rollRate * 100)) %.")
        print("  AUC en los reservados: \(result.holdoutAUC.map { String(format: "%.3f", $0) } ?? "— (faltan ejemplos de ambas clases)")")
        for (name, value) in result.coefficients.sorted(by: { abs($0.value) > abs($1.value) }) {
            print("  \(name): \(String(format: "%+.4f", value))")
        }
    }
}
