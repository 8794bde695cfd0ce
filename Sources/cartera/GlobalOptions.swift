import Store
import App
import ArgumentParser
import Configuration
import Foundation
import Logging

/// Options every command accepts; each overrides its environment variable.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "Base de datos (CARTERA_DATABASE_URL): sqlite://./cartera.sqlite o postgres://…")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "Nivel de registro (CARTERA_LOG_LEVEL): trace, debug, info, warning, error.")
    var logLevel: String?

    @Option(name: .customLong("spei-catalog"), help: "Catálogo de participantes SPEI actualizado (CARTERA_SPEI_CATALOG), CSV.")
    var speiCatalog: String?

    /// Reads the configuration: these flags, then `extra` flags of the command, then the environment, then defaults.
    func configuration(extra: [String: String] = [:]) throws -> AppConfiguration {
        var overrides = extra
        if let databaseURL { overrides["cartera.database.url"] = databaseURL }
        if let logLevel { overrides["cartera.log.level"] = logLevel }
        if let speiCatalog { overrides["cartera.spei.catalog"] = speiCatalog }
        let reader = AppConfiguration.reader(overrides: overrides, environment: ProcessInfo.processInfo.environment)
        let configuration = try AppConfiguration(reader: reader)
        Terminal.bootstrapLogging(level: configuration.logLevel)
        return configuration
    }

    /// Opens the configured database with the personal-data keys, resolves the lender (`lender`, or the only one) and
    /// hands all of it to `body`: what most commands of one lender's data start with.
    func withLender<T: Sendable>(
        _ lender: String?, label: String, _ body: @escaping @Sendable (_ database: Database, _ keys: LiveKeys, _ configuration: AppConfiguration, _ lenderID: String) async throws -> T
    ) async throws -> T {
        let configuration = try configuration()
        let keys = try loadKeys()
        return try await Database.withOpened(configuration.databaseURL, logger: Logger(label: label)) { database in
            let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
            return try await body(database, keys, configuration, lenderID)
        }
    }
}
