import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

/// `cartera monitoring`: what the PLD monitoring rules work from — exchange rates, the rules' versions, clients'
/// declared profiles.
struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitoring",
        abstract: "Monitoreo PLD: tipos de cambio, versiones de las reglas y perfiles transaccionales.",
        subcommands: [Rates.self, Rules.self, Profile.self]
    )

    /// `cartera monitoring rates FILE`.
    struct Rates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Carga tipos de cambio FIX (CSV del SIE de Banxico, serie SF43718, o fecha,tipo_de_cambio).",
            discussion: "Las operaciones en efectivo que esperaban el tipo de cambio de su día se evalúan otra vez al cargarlo."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Archivo CSV de tipos de cambio.")
        var file: String

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("No se pudo leer «\(file)». Revise la ruta y los permisos del archivo.") }
            let rates = try ExchangeRateFile.parse([UInt8](data))
            let name = URL(fileURLWithPath: file).lastPathComponent
            let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.monitoring")) { database in
                try await ExchangeRateTable(database: database).importRates(rates, source: name, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(summary) }
            print("✓ \(summary.rates) tipos de cambio del \(summary.first?.text ?? "—") al \(summary.last?.text ?? "—"): \(summary.added) nuevos, \(summary.changed) corregidos.")
            if summary.gapsResolved > 0 { print("  \(summary.gapsResolved) operación(es) en efectivo que esperaban su tipo de cambio se evaluaron otra vez.") }
        }
    }

    /// `cartera monitoring rules [--publish FILE]`.
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Muestra las reglas en vigor o publica una versión nueva desde un JSON.",
            discussion: """
                El JSON tiene los campos de las reglas (relevantDollars en centavos de dólar, profileFactorBasisPoints, \
                earlyPayoffDays, structuringWindowDays, structuringBandBasisPoints, structuringCount, flagThirdPartyPayers, \
                highRiskStates); parta de lo que imprime --json. Cada alerta guarda la versión que la generó.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "JSON con las reglas a publicar como nueva versión.")
        var publish: String?

        @Flag(help: "Imprime las reglas como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            var proposed: MonitoringRules?
            if let publish {
                guard let data = FileManager.default.contents(atPath: publish) else { throw ValidationError("No se pudo leer «\(publish)».") }
                do { proposed = try JSONDecoder().decode(MonitoringRules.self, from: data) } catch {
                    throw ValidationError("«\(publish)» no es un JSON de reglas: falta un campo o tiene otro tipo. Parta de: cartera monitoring rules --json")
                }
            }
            let toPublish = proposed
            let rules = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.monitoring")) { database in
                let book = MonitoringRuleBook(database: database)
                if let toPublish { return try await book.publish(toPublish, actor: .commandLine) }
                return try await book.current()
            }
            if json { return try Terminal.printJSON(rules) }
            print("\(publish == nil ? "Reglas en vigor" : "✓ Publicada") versión \(rules.version):")
            print("  Relevantes: efectivo desde \(rules.relevantDollars.decimalText) USD al tipo de cambio del día.")
            print("  Perfil: más de \(Double(rules.profileFactorBasisPoints) / 10_000)× lo declarado en 30 días.")
            print("  Liquidación anticipada en efectivo: dentro de \(rules.earlyPayoffDays) días de la disposición.")
            print("  Fraccionamiento: \(rules.structuringCount) operaciones en efectivo en \(rules.structuringWindowDays) días hasta \(Double(rules.structuringBandBasisPoints) / 100) % debajo del umbral.")
            print("  Pagos de terceros: \(rules.flagThirdPartyPayers ? "sí" : "no"); zonas de riesgo: \(rules.highRiskStates.isEmpty ? "ninguna" : rules.highRiskStates.sorted().joined(separator: ", ")).")
        }
    }

    /// `cartera monitoring profile --client ID …`.
    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra el perfil transaccional declarado por un cliente (o muestra su historia).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Id del cliente.")
        var client: String

        @Option(help: "Monto mensual esperado, como 15000.00.")
        var monthlyAmount: String?

        @Option(help: "Número de operaciones al mes.")
        var operations: Int?

        @Option(help: "Instrumentos, separados por comas: \(MonitoredOperation.Instrument.allCases.map(\.rawValue).joined(separator: ", ")).")
        var instruments: String?

        @Option(help: "Origen de los recursos.")
        var source: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func validate() throws {
            let given = [monthlyAmount != nil, operations != nil, instruments != nil, source != nil]
            guard given.allSatisfy({ $0 }) || given.allSatisfy({ !$0 }) else {
                throw ValidationError("Para registrar un perfil indique --monthly-amount, --operations, --instruments y --source; sin ellos se muestra la historia.")
            }
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let history = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.monitoring")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                let profiles = TransactionalProfiles(database: database, keys: keys)
                if let monthlyAmount, let operations, let instruments, let source {
                    _ = try await profiles.declare(
                        clientID: client, monthlyAmount: monthlyAmount, monthlyOperations: operations, instruments: instruments.split(separator: ",").map(String.init),
                        sourceOfFunds: source, lenderID: lenderID, actor: .commandLine
                    )
                }
                return try await profiles.history(clientID: client, lenderID: lenderID)
            }
            if json { return try Terminal.printJSON(history) }
            if history.isEmpty { print("El cliente \(client) no tiene perfil transaccional declarado.") }
            for (index, declaration) in history.enumerated() {
                let p = declaration.profile
                print("\(index == 0 ? "✓ En vigor" : "  Anterior") (\(declaration.declaredAt.text), \(declaration.declaredBy)): \(p.monthlyAmount.decimalText) MXN y \(p.monthlyOperations) operaciones al mes; \(p.instruments.map(\.rawValue).sorted().joined(separator: ", ")); origen: \(declaration.sourceOfFunds)")
            }
        }
    }
}
