import App
import ArgumentParser
import Foundation
import Logging
import CarteraSecurity
import Store

/// `cartera audit …`: checks on the audit log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revisa la bitácora de auditoría.",
        subcommands: [Verify.self]
    )

    /// `cartera audit verify`: exit 0 when the chain is intact, 1 naming the first entry changed, removed or reordered.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verifica la cadena de huellas de la bitácora.",
            discussion: """
                Termina con 0 si la cadena está íntegra y con 1 si alguna entrada fue modificada, eliminada o reordenada, \
                e indica cuál. Imprime la última entrada (secuencia:huella): guárdela fuera de la base y pásela después \
                con --head para detectar también la eliminación de las entradas más recientes.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Una cabeza registrada antes, como SECUENCIA:HUELLA; debe seguir en la bitácora.")
        var head: String?

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        struct Output: Encodable {
            let intact: Bool
            let checked: Int
            let head: String?
            let broken_sequence: Int64?
            let problem: String?
            let message: String
        }

        func run() async throws {
            let configuration = try global.configuration()
            let expectedHead = try head.map(Self.parseHead)
            let showProgress = !json && Terminal.isInteractive
            let result = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.audit")) { database in
                try await AuditLog.verify(database: database, expectedHead: expectedHead) { checked in
                    if showProgress { FileHandle.standardError.write(Data("\rEntradas revisadas: \(checked)".utf8)) }
                }
            }
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }

            let headText = result.head.map { "\($0.sequence):\($0.hash)" }
            let message: String
            if let broken = result.firstBreak {
                message = broken.message
            } else if result.checked == 0 {
                message = "La bitácora está vacía."
            } else {
                message = "La cadena de la bitácora está íntegra: \(result.checked) entradas revisadas."
            }
            if json {
                try Terminal.printJSON(Output(
                    intact: result.firstBreak == nil,
                    checked: result.checked,
                    head: headText,
                    broken_sequence: result.firstBreak?.sequence,
                    problem: result.firstBreak?.code,
                    message: message
                ))
            } else {
                print(result.firstBreak == nil ? "✓ \(message)" : "✗ \(message)")
                if let headText, result.firstBreak == nil { print("  Cabeza actual (guárdela fuera de la base): \(headText)") }
            }
            if result.firstBreak != nil { throw ExitCode(1) }
        }

        static func parseHead(_ text: String) throws -> (sequence: Int64, hash: String) {
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let sequence = Int64(parts[0]), sequence > 0, parts[1].count == 64,
                parts[1].allSatisfy({ $0.isHexDigit })
            else {
                throw ValidationError("--head debe tener la forma SECUENCIA:HUELLA (la huella son 64 caracteres hexadecimales).")
            }
            return (sequence, String(parts[1]).lowercased())
        }
    }
}
