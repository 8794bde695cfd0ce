import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

extension ClientScreening.Status: ExpressibleByArgument {}

/// `cartera screening`: clients' possible matches on the lists and their review.
struct ScreeningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screening",
        abstract: "Coincidencias de clientes en las listas: filtrar a todos, revisar y levantar suspensiones.",
        subcommands: [Run.self, Hits.self, Review.self, Lift.self]
    )

    static func describe(_ summary: ClientScreening.Summary) {
        if summary.newHits == 0 {
            print("✓ \(summary.clients) clientes filtrados (\(summary.subjects) personas con representantes y beneficiarios): sin coincidencias nuevas.")
        } else {
            let lists = summary.byList.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("⚠ \(summary.clients) clientes filtrados (\(summary.subjects) personas): \(summary.newHits) coincidencia(s) nueva(s) (\(lists)).")
            print("  Revíselas con: cartera screening hits --status pendiente")
        }
    }

    /// `cartera screening run`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Filtra a todos los clientes, representantes y beneficiarios contra las listas importadas.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let showProgress = !json && Terminal.progressVisible
            let summary = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.screening")) { database in
                guard !(try await Watchlists(database: database).lists().isEmpty) else {
                    throw ValidationError("No hay listas importadas. Importe una con: cartera lists import --format sdn-csv sdn.csv --alt alt.csv")
                }
                return try await ClientScreening(database: database, keys: keys).screenAll(actor: .commandLine, occasion: .request) { done, total in
                    if showProgress { Terminal.progress("Filtrando clientes: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(summary) }
            ScreeningCommand.describe(summary)
        }
    }

    /// `cartera screening hits`.
    struct Hits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra las coincidencias (primero las pendientes).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Solo las de este estado: \(ClientScreening.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: ClientScreening.Status?

        @Option(help: "Solo las de este cliente.")
        var client: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let hits = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.screening")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                return try await ClientScreening(database: database, keys: keys).hits(status: status, clientID: client, lenderID: lenderID)
            }
            if json { return try Terminal.printJSON(hits) }
            if hits.isEmpty { print("✓ No hay coincidencias\(status.map { " en estado \($0.rawValue)" } ?? "").") }
            for hit in hits {
                print("\(hit.status == .pending ? "⚠" : "·") \(hit.id)  \(String(format: "%.3f", hit.score))  \(hit.role.label) «\(hit.subjectName)» (cliente \(hit.clientId))")
                print("    ↔ \(hit.entryName) — \(hit.list) \(hit.entryId) [\(hit.purpose.rawValue)]; coincidió \(hit.reason): \(hit.matchedName)")
                print("    \(hit.status.label)\(hit.reviewedBy.map { " por \($0)" } ?? "")\(hit.reviewNote.map { ": \($0)" } ?? "")")
            }
            if hits.contains(where: { $0.status == .pending }) {
                print("Revise cada pendiente con: cartera screening review HIT --confirm|--dismiss --note \"…\"")
            }
        }
    }

    /// `cartera screening review HIT --confirm|--dismiss --note "…"`.
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Confirma o descarta una coincidencia, con el motivo.",
            discussion: """
                Confirmar una coincidencia en una lista de bloqueo suspende las operaciones del cliente y abre un caso de \
                reporte de 24 horas; en una de sanciones suspende y abre un caso de operación inusual; en una interna abre \
                un caso de operación inusual; en una de PEP queda para el grado de riesgo.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Id de la coincidencia (sh_…).")
        var hit: String

        @Flag(help: "Es la persona listada.")
        var confirm = false

        @Flag(help: "No es la persona listada.")
        var dismiss = false

        @Option(help: "Por qué: qué datos comparó (fecha de nacimiento, RFC, CURP, domicilio…).")
        var note: String

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func validate() throws {
            guard confirm != dismiss else { throw ValidationError("Indique --confirm o --dismiss (uno de los dos).") }
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            let review = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.screening")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                return try await ClientScreening(database: database, keys: keys).review(hit, confirm: confirm, note: note, lenderID: lenderID, actor: .commandLine)
            }
            if json { return try Terminal.printJSON(review) }
            print("✓ Coincidencia \(review.hit.id): \(review.hit.status.label.lowercased()).")
            if review.suspended { print("  ⚠ Operaciones del cliente \(review.hit.clientId) suspendidas.") }
            if let caseId = review.caseId { print("  Caso abierto: \(caseId). Véalo con: cartera cases show \(caseId)") }
        }
    }

    /// `cartera screening lift --client ID --note "…"`.
    struct Lift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Levanta la suspensión de un cliente (solo por oficio de la UIF o resolución judicial).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Id del cliente.")
        var client: String

        @Option(help: "El oficio de la UIF o la resolución judicial que la levanta.")
        var note: String

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys()
            try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.screening")) { database in
                let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
                try await ClientScreening(database: database, keys: keys).lift(clientID: client, note: note, lenderID: lenderID, actor: .commandLine)
            }
            print("✓ Suspensión del cliente \(client) levantada.")
        }
    }
}
