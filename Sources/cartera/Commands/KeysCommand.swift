import App
import ArgumentParser
import CarteraSecurity
import Foundation

/// `cartera keys …`: the keys that sign access tokens.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Administra las llaves: de los datos personales y de firma de los tokens de acceso.",
        subcommands: [Rotate.self, RotateSigning.self]
    )

    struct RotateSigning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-signing",
            abstract: "Crea una llave de firma nueva y retira las anteriores.",
            discussion: """
                Los tokens firmados con las llaves anteriores siguen siendo válidos hasta que expiran (15 minutos). Los \
                servidores en marcha empiezan a firmar con la llave nueva en menos de un minuto, sin reiniciarse. Si la \
                llave viene de CARTERA_SIGNING_KEY_FILE, cambie ese archivo y reinicie en su lugar.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        struct Rotated: Encodable {
            let kid: String
        }

        func run() async throws {
            let configuration = try global.configuration()
            let keys = try loadKeys().ring
            let kid = try await withMigratedDatabase(configuration) { database in
                try await TokenService.rotate(database: database, cipher: FieldCipher(keys: keys), actor: .commandLine)
            }
            if json {
                try Terminal.printJSON(Rotated(kid: kid))
            } else {
                print("Nueva llave de firma: \(kid). Las anteriores quedan retiradas y verifican los tokens vigentes hasta que expiren.")
            }
        }
    }
}
