import App
import ArgumentParser
import CarteraSecurity

/// `cartera api-clients create`: registers an integration that calls `/api/v1` with OAuth2 client credentials.
struct APIClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-clients",
        abstract: "Administra los clientes de la API (OAuth2, credenciales de cliente).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crea un cliente de API e imprime su client_id y su client_secret (el secreto solo se muestra esta vez).",
            discussion: "Alcances disponibles: \(Scope.known.joined(separator: ", "))."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Nombre del cliente (la integración: ERP, CRM…).")
        var name: String

        @Option(help: "Alcances separados por comas, p. ej. clients:read,loans:write.")
        var scopes: String

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let created = try await withMigratedDatabase(configuration) { database in
                try await APIClients(database: database).create(
                    name: name, scopes: scopes.split(separator: ",").map(String.init), lenderID: lender, actor: .commandLine
                )
            }
            if json {
                try Terminal.printJSON(created)
            } else {
                print("Cliente de API «\(created.name)» creado con los alcances \(created.scopes.joined(separator: ", ")).")
                print("  client_id:     \(created.client_id)")
                print("  client_secret: \(created.client_secret)")
                print("Guarde el secreto ahora: Cartera solo conserva su huella y no podrá mostrarlo de nuevo.")
            }
        }
    }
}
