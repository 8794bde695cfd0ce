import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera recurring …`: the domiciliación's automatic card charges.
struct RecurringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recurring",
        abstract: "Cobros automáticos a tarjetas domiciliadas.",
        subcommands: [Run.self]
    )

    /// `cartera recurring run [--json]`: one pass, as `cartera serve` makes every minute.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hace ahora una pasada de los cobros domiciliados: abre las fechas de pago vencidas, cobra y reintenta.",
            discussion: """
                Es la misma pasada que `cartera serve` hace cada minuto; sirve para un servidor detenido o para revisar \
                qué haría. Se puede correr junto con el servidor: cada cobro se reclama antes de enviarse, así que nunca \
                se cobra dos veces. Usa las pasarelas configuradas en el entorno o guardadas en la administración.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            var logger = Logger(label: "cartera.recurring")
            logger.logLevel = configuration.logLevel
            let summary = try await Database.withOpened(configuration.databaseURL, logger: logger) { database in
                let recurring = try await RecurringCharges.standalone(configuration: configuration, database: database, keys: keys, logger: logger)
                // Without a gateway's keys here, its due dates would be put off a day: refuse instead.
                let missing = try await recurring.providersWithoutConnector()
                guard missing.isEmpty else { throw MissingGateways(providers: missing.map(\.name)) }
                return try await recurring.runOnce()
            }
            if json { return try Terminal.printJSON(summary) }
            print("✓ Pasada de domiciliación terminada.")
            print("  Fechas de pago abiertas: \(summary.opened); cobros enviados: \(summary.charged); pagados: \(summary.paid).")
            print("  Por reintentar: \(summary.retrying); sin más intentos: \(summary.exhausted); cubiertos por otro pago: \(summary.covered).")
            print("  Cancelados: \(summary.canceled + summary.superseded); domiciliaciones terminadas: \(summary.ended).")
            if summary.setupsEnded > 0 { print("  Registros de tarjeta del portal terminados: \(summary.setupsEnded).") }
            if summary.unconfirmed > 0 {
                print("  ⚠ \(summary.unconfirmed) cobros sin confirmar por la pasarela: revíselos en /domiciliaciones y anote qué le confirmó.")
            }
        }
    }
}

/// Gateways with active domiciliaciones whose keys this environment lacks.
struct MissingGateways: CarteraError {
    let providers: [String]

    var code: String { "gateway_not_configured" }

    var message: String {
        "Hay domiciliaciones activas con \(providers.joined(separator: ", ")), pero aquí no está configurado: defina sus llaves "
            + "(CARTERA_<PASARELA>_SECRET_KEY) o guárdelas en /pasarelas, o corra la pasada desde el servidor. No se cobró nada."
    }
}
