import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

/// `cartera risk`: clients' PLD risk grades and the matrix that produces them.
struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Grado de riesgo PLD de los clientes (bajo, medio, alto): matriz, catálogos, datos declarados y recálculo.",
        subcommands: [Assess.self, Show.self, Declare.self, Settings.self]
    )

    /// `cartera risk assess [--all]`.
    struct Assess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vuelve a calificar a los clientes pendientes (por alertas o créditos nuevos), o a todos con --all.",
            discussion: "Con una matriz o catálogos nuevos, califique a todos (--all). Solo se guarda una calificación cuando cambia algo."
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Califica a todos los clientes.")
        var all = false

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        struct Output: Encodable {
            let assessed: Int
            let changed: Int
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let showProgress = !json && Terminal.progressVisible
            let all = all
            let result = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.risk")) { database in
                try await RiskGrades(database: database, keys: keys).assessPending(all: all, actor: .commandLine) { done, total in
                    if showProgress { Terminal.progress("Calificando clientes: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(Output(assessed: result.assessed, changed: result.changed)) }
            print("✓ \(result.assessed) cliente(s) calificado(s); \(result.changed) cambiaron de grado.")
        }
    }

    /// `cartera risk show --client ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra el grado de riesgo de un cliente, sus razones y su historia.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Id del cliente.")
        var client: String

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let (client, lender) = (client, lender)
            let history = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.risk")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                return try await RiskGrades(database: database, keys: keys).history(clientID: client, lenderID: lenderID)
            }
            if json { return try Terminal.printJSON(history) }
            guard let current = history.first else {
                throw ValidationError("El cliente \(client) no tiene calificación (¿existe?). Califíquelo con: cartera risk assess --all")
            }
            print("Grado \(current.grade.rawValue) (\(current.points) puntos, matriz versión \(current.matrixVersion)), \(current.assessedAt.text) por \(current.occasion):")
            for reason in current.reasons { print("  • \(reason)") }
            for earlier in history.dropFirst() { print("  antes: \(earlier.grade.rawValue) (\(earlier.points) puntos) \(earlier.assessedAt.text) por \(earlier.occasion)") }
        }
    }

    /// `cartera risk declare --client ID --fact canal=sucursal_biometria …`.
    struct Declare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra valores de factores que los datos no dicen (canal, tipo de cliente, medios adversos) y recalifica.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Id del cliente.")
        var client: String

        @Option(help: "factor=valor (se puede repetir), por ejemplo canal=sucursal_biometria.")
        var fact: [String]

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func validate() throws {
            guard !fact.isEmpty, fact.allSatisfy({ $0.split(separator: "=").count == 2 }) else { throw ValidationError("Indique al menos un --fact factor=valor.") }
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let facts = Dictionary(fact.map { pair -> (String, String) in
                let parts = pair.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts[1])
            }, uniquingKeysWith: { _, last in last })
            let (client, lender) = (client, lender)
            let record = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.risk")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                return try await RiskGrades(database: database, keys: keys).declare(clientID: client, facts: facts, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ Grado \(record.grade.rawValue) (\(record.points) puntos).")
        }
    }

    /// `cartera risk settings [--matrix FILE] [--catalogs FILE]`.
    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Muestra la matriz y los catálogos en vigor, o publica una versión nueva desde JSON.",
            discussion: "Parta de lo que imprime --json. Después de publicar, recalifique a todos con: cartera risk assess --all"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "JSON de la matriz (factores, puntos, pisos, bandas).")
        var matrix: String?

        @Option(help: "JSON de los catálogos (states, activities, products, fatfCountries).")
        var catalogs: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            func read<T: Decodable>(_ path: String, as: T.Type) throws -> T {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("No se pudo leer «\(path)».") }
                do { return try JSONDecoder().decode(T.self, from: data) } catch let invalid as RiskMatrix.Invalid {
                    throw ValidationError("La matriz de «\(path)» no es válida: \(invalid.message)")
                } catch {
                    throw ValidationError("«\(path)» no es un JSON válido para esto: falta un campo o tiene otro tipo. Parta de: cartera risk settings --json")
                }
            }
            let newMatrix = try matrix.map { try read($0, as: RiskMatrix.self) }
            let newCatalogs = try catalogs.map { try read($0, as: RiskCatalogs.self) }
            let settings = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.risk")) { database in
                let grades = RiskGrades(database: database, keys: keys)
                let current = try await grades.settings()
                guard newMatrix != nil || newCatalogs != nil else { return current }
                return try await grades.publish(matrix: newMatrix ?? current.matrix, catalogs: newCatalogs ?? current.catalogs, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(settings) }
            print("\(newMatrix == nil && newCatalogs == nil ? "En vigor" : "✓ Publicada") la versión \(settings.version) (matriz \(settings.matrix.version)): medio desde \(settings.matrix.mediumFrom) puntos, alto desde \(settings.matrix.highFrom).")
            for factor in settings.matrix.factors { print("  \(factor.label) (\(factor.key)): " + factor.points.sorted { $0.value < $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            print("  Catálogos: \(settings.catalogs.states.count) estados, \(settings.catalogs.activities.count) actividades, \(settings.catalogs.products.count) productos, \(settings.catalogs.fatfCountries.count) países GAFI.")
            if newMatrix != nil || newCatalogs != nil { print("  Recalifique a todos con: cartera risk assess --all") }
        }
    }
}
