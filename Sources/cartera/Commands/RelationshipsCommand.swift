import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging
import Store

/// `cartera relationships`: clients linked by shared data and accounts, in groups.
struct RelationshipsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relationships",
        abstract: "Vínculos entre clientes (teléfono, correo, domicilio, CLABE, CURP/RFC, representante, beneficiario): grupos y su efecto en el grado de riesgo.",
        subcommands: [Build.self, Show.self]
    )

    /// `cartera relationships build [--hub-limit N] [--json]`.
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recalcula los grupos de clientes vinculados y encola para recalificar a quienes quedaron vinculados (o dejaron de estarlo) a un cliente de alto riesgo.",
            discussion: "Ejecútelo cada noche o después de importar listas. Luego: cartera risk assess"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Un dato compartido por más clientes que esto (el teléfono de una sucursal) no vincula a nadie.") var hubLimit = 10
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func validate() throws {
            guard (2...10_000).contains(hubLimit) else { throw ValidationError("--hub-limit va de 2 a 10000.") }
        }

        func run() async throws {
            let showProgress = !json && Terminal.progressVisible
            let (lender, hubLimit) = (lender, hubLimit)
            let summary = try await global.withLender(lender, label: "cartera.relationships") { database, keys, _, lenderID in
                return try await ClientRelationships(database: database, keys: keys).rebuild(lenderID: lenderID, hubLimit: hubLimit) { done, total in
                    if showProgress, done % 100 == 0 || done == total { Terminal.progress("Leyendo clientes: \(done) de \(total)") }
                }
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(summary) }
            print("✓ \(summary.clients) clientes: \(summary.groups) grupos vinculados (el mayor de \(summary.largestGroup)), \(summary.links) vínculos.")
            if !summary.hubs.isEmpty {
                print("  Datos compartidos por más de \(hubLimit) clientes, que no vinculan: " + summary.hubs.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ".")
            }
            print("  \(summary.linkedHighRisk) cliente(s) vinculados a uno de alto riesgo; \(summary.regrade) por recalificar" + (summary.regrade > 0 ? ": cartera risk assess" : "."))
        }
    }

    /// `cartera relationships show --client ID [--json]`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra el grupo de un cliente: con quién está vinculado y por qué.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Id del cliente.") var client: String
        @Option(help: "Id del otorgante, si hay más de uno.") var lender: String?
        @Flag(help: "Imprime el resultado como JSON.") var json = false

        func run() async throws {
            let (client, lender) = (client, lender)
            let group = try await global.withLender(lender, label: "cartera.relationships") { database, keys, _, lenderID in
                return try await ClientRelationships(database: database, keys: keys).group(of: client, lenderID: lenderID)
            }
            guard let group else {
                throw ValidationError("El cliente \(client) no está en los grupos calculados (¿existe?). Calcúlelos con: cartera relationships build")
            }
            if json { return try Terminal.printJSON(group) }
            let names = Dictionary(group.members.map { ($0.clientId, $0.displayName) }, uniquingKeysWith: { first, _ in first })
            print("Grupo de \(group.members.count) cliente(s), calculado \(group.computedAt.text):")
            for member in group.members { print("  \(member.highRisk ? "⚠" : "•") \(member.displayName) (\(member.clientId))\(member.highRisk ? " — alto riesgo" : "")") }
            for edge in group.edges { print("  \(names[edge.from] ?? edge.from) ↔ \(names[edge.to] ?? edge.to): \(edge.kinds.joined(separator: ", "))") }
        }
    }
}
