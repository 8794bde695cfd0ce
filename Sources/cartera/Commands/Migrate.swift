import App
import ArgumentParser
import Foundation
import Logging
import Store

/// `cartera migrate`: applies the pending migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Aplica las migraciones pendientes a la base de datos.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    struct Summary: Encodable {
        let database: String
        let applied: [Int]
        let total: Int
    }

    func run() async throws {
        let configuration = try global.configuration()
        var logger = Logger(label: "cartera.migrate")
        logger.logLevel = configuration.logLevel
        let (applied, total) = try await Database.withOpened(configuration.databaseURL, logger: logger) { database in
            let migrator = Migrator(database: database)
            let applied = try await migrator.migrate(logger: logger)
            return (applied, try await migrator.applied().count)
        }

        if json {
            try Terminal.printJSON(Summary(database: configuration.databaseURL.description, applied: applied.map(\.version), total: total))
        } else if applied.isEmpty {
            print("La base de datos \(configuration.databaseURL) ya está al día (\(total) migraciones).")
        } else {
            for migration in applied {
                print("  ✓ \(String(format: "%04d", migration.version)) \(migration.name)")
            }
            print("Se aplicaron \(applied.count) migraciones; la base \(configuration.databaseURL) tiene \(total).")
        }
    }
}
