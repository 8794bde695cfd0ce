import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Reconciliation
import Store

extension StatementFormat: ExpressibleByArgument {
    /// The file formats (movements from a bank's API come through `cartera bank pull`).
    public static var allValueStrings: [String] { allCases.filter { $0 != .bankAPI }.map(\.rawValue) }
}

/// `cartera import-statement FILE`: a bank statement file into the lender's bank lines, once.
struct ImportStatementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-statement",
        abstract: "Importa un estado de cuenta bancario (camt.053/052/054, MT940, OFX o CSV del banco).",
        discussion: """
            Cada movimiento se guarda una sola vez por cuenta: importar el mismo archivo otra vez, o uno que se traslapa, \
            no agrega nada (se cuentan como duplicados). Un archivo que no se puede leer no guarda nada e indica la línea \
            o el elemento con el problema. Sin --format se reconoce por su contenido.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "El archivo del banco.")
    var file: String

    @Option(help: "Formato: camt053, camt052, camt054, mt940, ofx o csv (se reconoce si se omite).")
    var format: StatementFormat?

    @Option(help: "Para CSV: bbva, banorte, santander, o la ruta de un perfil propio en JSON.")
    var profile: String?

    @Option(help: "La cuenta (CLABE o número) cuando el archivo no la dice, como en los CSV.")
    var account: String?

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resumen como JSON.")
    var json = false

    func run() async throws {
        let configuration = try global.configuration()
        let url = URL(fileURLWithPath: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ValidationError("No se puede leer «\(file)». Revise la ruta y los permisos del archivo.")
        }
        let profile = try profile.map(Self.profile)
        let keys = try loadKeys()
        let showProgress = !json && Terminal.progressVisible
        let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.statements")) { database in
            let imports = StatementImports(database: database, keys: keys)
            return try await imports.importFile(
                data, fileName: url.lastPathComponent, format: format, profile: profile, account: account, lenderID: try await imports.lender(lender),
                actor: .commandLine, progress: { done, total in if showProgress { Terminal.progress("Movimientos guardados: \(done) de \(total)") } }
            )
        }
        if showProgress { Terminal.progress("") }
        if json { return try Terminal.printJSON(summary) }
        print("✓ \(url.lastPathComponent) (\(summary.format)): \(summary.statements) estados, \(summary.entries) movimientos leídos.")
        print("  Nuevos: \(summary.added); ya importados antes: \(summary.duplicates).")
        print("  Abonos $\(summary.credits); cargos $\(summary.debits).")
        for warning in summary.warnings { print("  ⚠ \(warning)") }
    }

    /// A preset by name, or a profile written as JSON in a file.
    static func profile(_ name: String) throws -> CSVProfile {
        if let preset = CSVProfile.presets[name.lowercased()] { return preset }
        guard let data = FileManager.default.contents(atPath: name) else {
            throw ValidationError("No existe el perfil «\(name)»: use bbva, banorte, santander o la ruta de un perfil en JSON.")
        }
        do {
            return try JSONDecoder().decode(CSVProfile.self, from: data)
        } catch {
            throw ValidationError("El perfil «\(name)» no es un JSON de perfil válido: \(error.localizedDescription)")
        }
    }
}
