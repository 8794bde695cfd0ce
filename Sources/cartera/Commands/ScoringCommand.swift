import Analytics
import ArgumentParser
import CarteraCore
import Foundation

/// `cartera scoring`: credit scorecards trained on the lender's own history.
struct ScoringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring",
        abstract: "Tarjetas de puntaje de originación (scorecards) entrenadas con la historia de la financiera.",
        subcommands: [Train.self]
    )

    /// `cartera scoring train --data FILE.csv --target COLUMN`.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Entrena una tarjeta de puntaje con un CSV de solicitudes y su resultado, y reporta sus métricas.",
            discussion: """
                Cada fila es una solicitud: una columna con el resultado (--target; el valor que significa «malo» con --bad) \
                y las demás con sus características. Se reserva una parte fija de las filas (--holdout, con --seed) para \
                medir; con el resto se agrupan los valores de cada variable (ChiMerge), se calcula su peso de evidencia (WOE) \
                y valor de información (IV), se ajusta una regresión logística y se escala a puntos (600 puntos con momios \
                19:1, 50 puntos para duplicarlos). Reporta AUC, Gini y KS en entrenamiento y reserva, y el índice de \
                estabilidad (PSI) de la reserva contra el entrenamiento.
                """
        )

        @Option(help: "Archivo CSV con encabezado.")
        var data: String

        @Option(help: "Columna con el resultado de cada solicitud.")
        var target: String

        @Option(help: "Valor de la columna objetivo que significa «malo» (sin distinguir mayúsculas).")
        var bad = "1"

        @Option(help: "Separador de columnas: una letra, o «tab».")
        var delimiter = ","

        @Option(help: "Parte de las filas reservada para medir, entre 0.05 y 0.5.")
        var holdout = 0.3

        @Option(help: "Semilla de la separación entre entrenamiento y reserva (la misma semilla da la misma separación).")
        var seed: UInt64 = ScorecardTraining.Options().seed

        @Option(name: .customLong("min-iv"), help: "Valor de información mínimo para usar una variable.")
        var minimumIV = 0.02

        @Option(name: .customLong("max-bins"), help: "Máximo de grupos por variable.")
        var maximumBins = 6

        @Option(name: .customLong("chi-square"), help: "Chi cuadrada bajo la cual dos grupos vecinos se unen (2.706: 90 %; 3.841: 95 %).")
        var chiSquare = VariableBinning.Options().chiSquareThreshold

        @Option(help: "Guarda la tarjeta y sus métricas como JSON en este archivo.")
        var output: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func validate() throws {
            guard (0.05...0.5).contains(holdout) else { throw ValidationError("--holdout va de 0.05 a 0.5.") }
            guard (0...1).contains(minimumIV) else { throw ValidationError("--min-iv va de 0 a 1.") }
            guard (2...20).contains(maximumBins) else { throw ValidationError("--max-bins va de 2 a 20.") }
            guard (0...100).contains(chiSquare) else { throw ValidationError("--chi-square va de 0 a 100.") }
            guard delimiter == "tab" || (delimiter.utf8.count == 1 && delimiter != "\"") else {
                throw ValidationError("--delimiter es un solo carácter (por ejemplo «,» o «;») o «tab».")
            }
        }

        func run() throws {
            guard let bytes = FileManager.default.contents(atPath: data) else {
                throw InputError(code: "scoring_file_unreadable", message: "No se pudo leer «\(data)». Revise la ruta y los permisos del archivo.")
            }
            var tokenizer = CSVTokenizer(bytes: Array(bytes)[...], delimiter: delimiter == "tab" ? 0x09 : delimiter.utf8.first!, line: 1)
            var table: [[String]] = []
            do {
                while let row = try tokenizer.next() { table.append(row) }
            } catch {
                throw InputError(code: "scoring_unterminated_quote", message: "La fila de la línea \(error.line) abre comillas que no cierra. Corrija el archivo y vuelva a intentar.")
            }
            let report = try ScorecardTraining.train(
                try ScoringData.table(table, target: target, badValue: bad),
                options: .init(holdoutShare: holdout, seed: seed, minimumIV: minimumIV, binning: .init(maximumBins: maximumBins, chiSquareThreshold: chiSquare))
            )
            if let output {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                do { try encoder.encode(report).write(to: URL(fileURLWithPath: output)) } catch {
                    throw InputError(code: "scoring_output_unwritable", message: "No se pudo escribir «\(output)»: \(error.localizedDescription). Revise la carpeta y sus permisos.")
                }
            }
            if json { return try Terminal.printJSON(report) }
            print(Self.describe(report))
        }

        /// A file the command could not read or write (exit 1, like the data's own errors).
        struct InputError: CarteraError {
            let code: String
            let message: String
        }

        /// The report for a person: separation, stability, variables and the card's points.
        static func describe(_ report: ScorecardTraining.Report) -> String {
            func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
            func metrics(_ name: String, _ s: ScorecardTraining.Separation) -> String {
                "  \(name): \(s.rows) filas (\(s.bads) malas): AUC \(fixed(s.auc, 3)) · Gini \(fixed(s.gini, 3)) · KS \(fixed(s.ks, 3))"
            }
            var lines = [
                "✓ Tarjeta de puntaje con \(report.card.variables.count) variables.",
                metrics("Entrenamiento", report.training),
                metrics("Reserva", report.holdout),
                "  PSI reserva contra entrenamiento: \(fixed(report.psi, 4)) (\(PopulationStability.reading(report.psi)))",
                "",
                "Variables (valor de información):",
            ]
            for variable in report.variables.sorted(by: { ($0.informationValue, $1.name) > ($1.informationValue, $0.name) }) {
                let note = variable.note.map { " — \($0)" } ?? ""
                lines.append("  \(variable.selected ? "✓" : "·") \(fixed(variable.informationValue, 4))  \(variable.name) (\(variable.classes.count) grupos)\(note)")
            }
            lines.append("")
            lines.append("Puntos (base \(report.card.basePoints)):")
            for (index, variable) in report.card.variables.enumerated() {
                lines.append("  \(variable.name)")
                for (bin, points) in zip(variable.bins, report.card.points[index]) {
                    let signed = points > 0 ? "+\(points)" : "\(points)"
                    lines.append("    \(signed)  \(bin.label)  (WOE \(fixed(bin.woe, 4)); \(bin.goods) buenos, \(bin.bads) malos)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
