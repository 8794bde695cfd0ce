import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera bureau`: credit reports from Círculo de Crédito, with the borrower's authorisation.
struct BureauCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bureau",
        abstract: "Consultas a Círculo de Crédito: autorización del acreditado, consulta del reporte con FICO Score y reportes guardados.",
        subcommands: [Authorize.self, Query.self, Reports.self]
    )

    static func withQueries<T: Sendable>(_ global: GlobalOptions, lender: String?, _ body: @escaping @Sendable (CreditBureauQueries, String) async throws -> T) async throws -> T {
        try await global.withLender(lender, label: "cartera.bureau") { database, keys, configuration, lenderID in
            try await body(CreditBureauQueries(database: database, keys: keys, settings: configuration.circulo), lenderID)
        }
    }

    /// `cartera bureau authorize --client ID --signed-on D --channel autografa|electronica --evidence "…"`.
    struct Authorize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra la autorización expresa del acreditado para consultar su historial (vale una consulta, 3 meses).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(name: .customLong("signed-on"), help: "Fecha de firma AAAA-MM-DD.") var signedOn: String
        @Option(help: "autografa o electronica.") var channel: String
        @Option(help: "Dónde consta: folio del formato firmado, NIP, constancia electrónica.") var evidence: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?

        func run() async throws {
            let (client, signedOn, channel, evidence) = (client, signedOn, channel, evidence)
            let recorded = try await BureauCommand.withQueries(global, lender: lender) { queries, lenderID in
                try await queries.authorize(clientID: client, signedOn: signedOn, channel: channel, evidence: evidence, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ Autorización \(recorded.id) registrada; vale para una consulta hasta el \(recorded.validUntil.text). Consulte con: cartera bureau query --client \(client)")
        }
    }

    /// `cartera bureau query --client ID [--authorization A] [--json]`.
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Consulta el reporte de crédito con FICO Score del cliente en Círculo de Crédito (usa una autorización vigente).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Id de la autorización (la más reciente sin usar, si se omite).") var authorization: String?
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            let (client, authorization) = (client, authorization)
            let report = try await BureauCommand.withQueries(global, lender: lender) { queries, lenderID in
                try await queries.query(clientID: client, authorizationID: authorization, lenderID: lenderID, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(report) }
            if report.outcome == "sin_historial" {
                print("✓ Consulta \(report.id): Círculo no tiene historial de este cliente.")
            } else {
                print("✓ Consulta \(report.id) (folio \(report.folio ?? "—")): FICO Score \(report.score.map(String.init) ?? "—").")
                for (name, value) in report.variables.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            }
        }
    }

    /// `cartera bureau reports --client ID [--json]`.
    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista las consultas hechas de un cliente.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            let client = client
            let reports = try await BureauCommand.withQueries(global, lender: lender) { queries, lenderID in
                try await queries.reports(clientID: client, lenderID: lenderID)
            }
            if json { return try Terminal.printJSON(reports) }
            if reports.isEmpty { print("El cliente no tiene consultas. Registre su autorización con: cartera bureau authorize") }
            for report in reports {
                print("\(report.queriedAt.text.prefix(16)) \(report.id): \(report.outcome == "reporte" ? "FICO \(report.score.map(String.init) ?? "—")" : "sin historial") (autorización \(report.authorizationId), por \(report.queriedBy))")
            }
        }
    }
}
