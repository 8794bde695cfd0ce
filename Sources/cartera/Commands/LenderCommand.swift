import App
import ArgumentParser
import Logging
import Store

/// `cartera lender create`: registers the lender this installation serves.
struct LenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lender",
        abstract: "Administra el otorgante (la SOFOM) de esta instalación.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra el otorgante por su razón social y RFC de persona moral.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("legal-name"), help: "Razón social, p. ej. «Financiera Ejemplo, S.A. de C.V., SOFOM, E.N.R.».")
        var legalName: String

        @Option(name: .customLong("short-name"), help: "Nombre corto para pantallas y reportes.")
        var shortName: String

        @Option(help: "RFC de persona moral (12 caracteres).")
        var rfc: String

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            try await withMigratedDatabase(configuration) { database in
                let id = try await Administration(database: database, keys: keys).createLender(
                    legalName: legalName, shortName: shortName, rfc: rfc, actor: .commandLine
                )
                print("Otorgante «\(shortName)» registrado (id \(id)).")
            }
        }
    }
}

/// Opens the configured database, applies pending migrations, runs `body`, and always closes the database.
func withMigratedDatabase<T>(_ configuration: AppConfiguration, _ body: (Database) async throws -> T) async throws -> T {
    var logger = Logger(label: "cartera")
    logger.logLevel = configuration.logLevel
    return try await Database.withOpened(configuration.databaseURL, logger: logger) { database in
        try await Migrator(database: database).migrate(logger: logger)
        return try await body(database)
    }
}
