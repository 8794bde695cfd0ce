import Analytics
import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera scoring`: credit scorecards trained on the lender's own history.
struct ScoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring",
        abstract: "Tarjetas de puntaje de originación (scorecards) entrenadas con la historia de la financiera.",
        subcommands: [Train.self, Publish.self, Models.self, Score.self]
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

    /// `cartera scoring publish --model FILE.json --name NAME [--approve N] [--review N]`.
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publica como versión nueva la tarjeta que escribió «scoring train --output», con sus puntos de corte; desde entonces califica las solicitudes.",
            discussion: "Aprobar: puntaje ≥ --approve; revisar: ≥ --review; rechazar: debajo. Las versiones anteriores se conservan."
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "El JSON que escribió cartera scoring train --output.") var model: String
        @Option(help: "Nombre de la tarjeta (p. ej. «Originación 2026»).") var name: String
        @Option(help: "Puntaje mínimo para recomendar aprobar.") var approve = 600
        @Option(help: "Puntaje mínimo para recomendar revisar.") var review = 550
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: model) else { throw ValidationError("No se pudo leer «\(model)»; revise la ruta.") }
            let report: ScorecardTraining.Report
            do { report = try JSONDecoder().decode(ScorecardTraining.Report.self, from: data) } catch {
                throw ValidationError("«\(model)» no es una tarjeta de «cartera scoring train --output» (o es de una versión anterior: entrénela de nuevo).")
            }
            let (name, lender, cutoffs) = (name, lender, Scorecard.Cutoffs(approve: approve, review: review))
            let published = try await global.withLender(lender, label: "cartera.scoring") { database, keys, _, lenderID in
                return try await OriginationScoring(database: database, keys: keys).publish(report, name: name, cutoffs: cutoffs, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ Publicada la versión \(published.version) («\(published.name)», \(published.card.variables.count) variables, AUC de reserva \(String(format: "%.3f", published.metrics.holdout.auc))): aprobar desde \(cutoffs.approve), revisar desde \(cutoffs.review).")
        }
    }

    /// `cartera scoring models [--json]`.
    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista las tarjetas publicadas y compara las solicitudes calificadas con la población de entrenamiento (PSI).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        struct Output: Encodable {
            struct Model: Encodable {
                let version: Int
                let name: String
                let variables: [String]
                let approve: Int
                let review: Int
                let holdoutAUC: Double
                let createdAt: String
            }
            let models: [Model]
            let monitoring: OriginationScoring.Monitoring?
        }

        func run() async throws {
            let lender = lender
            let (models, monitoring) = try await global.withLender(lender, label: "cartera.scoring") { database, keys, _, lenderID in
                let scoring = OriginationScoring(database: database, keys: keys)
                return (try await scoring.models(lenderID: lenderID), try await scoring.monitoring(lenderID: lenderID))
            }
            let output = Output(
                models: models.map {
                    .init(version: $0.version, name: $0.name, variables: $0.card.variables.map(\.name), approve: $0.cutoffs.approve, review: $0.cutoffs.review,
                          holdoutAUC: $0.metrics.holdout.auc, createdAt: $0.createdAt.text)
                },
                monitoring: monitoring
            )
            if json { return try Terminal.printJSON(output) }
            guard !models.isEmpty else {
                print("No hay tarjetas publicadas. Entrene una con «cartera scoring train --output tarjeta.json» y publíquela con «cartera scoring publish».")
                return
            }
            for model in output.models {
                print("\(model.version == output.models.first?.version ? "▶" : " ") v\(model.version) «\(model.name)» \(model.createdAt.prefix(10)): \(model.variables.count) variables, AUC de reserva \(String(format: "%.3f", model.holdoutAUC)), aprobar ≥ \(model.approve), revisar ≥ \(model.review)")
            }
            if let monitoring {
                print("Estabilidad de v\(monitoring.modelVersion): \(monitoring.applications) solicitudes calificadas, PSI \(String(format: "%.4f", monitoring.psi)) (\(monitoring.reading)).")
            }
        }
    }

    /// `cartera scoring score --loan ID --value variable=valor …`.
    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Califica una solicitud con la tarjeta en vigor: puntaje, recomendación y principales razones en contra.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del crédito (en solicitud).") var loan: String
        @Option(help: "variable=valor, como en el archivo de entrenamiento (se puede repetir).") var value: [String] = []
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func validate() throws {
            guard value.allSatisfy({ $0.contains("=") }) else { throw ValidationError("Cada --value se escribe variable=valor.") }
        }

        func run() async throws {
            let values = Dictionary(value.map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { _, last in last })
            let (loan, lender) = (loan, lender)
            let scored = try await global.withLender(lender, label: "cartera.scoring") { database, keys, _, lenderID in
                return try await OriginationScoring(database: database, keys: keys).score(loanID: loan, values: values, lenderID: lenderID, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(scored) }
            print("Puntaje \(scored.score) (tarjeta v\(scored.modelVersion)): \(scored.recommendation.rawValue); probabilidad de incumplir \(String(format: "%.1f", scored.probabilityOfBad * 100)) %.")
            for reason in scored.reasons { print("  • \(reason)") }
        }
    }
}
