import App
import ArgumentParser
import Foundation
import CarteraSecurity

/// `cartera users create`: creates a staff or borrower user; the password is read from standard input.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Administra los usuarios.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crea un usuario.",
            discussion: "La contraseña se lee de la entrada estándar (primera línea), nunca de la línea de comandos: echo … | cartera users create --username ana --role auditor --password-stdin"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Nombre de usuario: minúsculas, dígitos, punto, guion o guion bajo.")
        var username: String

        @Option(help: "Rol: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        var role: Role

        @Option(name: .customLong("display-name"), help: "Nombre para mostrar.")
        var displayName: String?

        @Option(help: "Id del otorgante, si hay más de uno.")
        var lender: String?

        @Option(help: "Para el rol acreditado: el cliente (cl_…) cuyos créditos verá en el portal.")
        var client: String?

        @Flag(name: .customLong("password-stdin"), help: "Lee la contraseña de la entrada estándar (obligatorio).")
        var passwordFromStandardInput = false

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func validate() throws {
            guard passwordFromStandardInput else {
                throw ValidationError("Indique --password-stdin y pase la contraseña por la entrada estándar.")
            }
        }

        func run() async throws {
            let configuration = try global.configuration()
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("No se recibió ninguna contraseña por la entrada estándar.")
            }
            let keys = try loadKeys()
            let user = try await withMigratedDatabase(configuration) { database in
                try await Administration(database: database, keys: keys).createUser(
                    username: username, displayName: displayName, role: role, password: line, lenderID: lender, clientID: client,
                    actor: .commandLine
                )
            }
            if json {
                try Terminal.printJSON(user)
            } else {
                print("Usuario «\(user.username)» creado con el rol \(role.displayName).")
                if user.mfa_required { print("  Este rol debe registrar un segundo factor (TOTP) en su primer inicio de sesión.") }
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
