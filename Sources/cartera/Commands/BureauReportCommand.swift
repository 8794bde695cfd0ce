import App
import ArgumentParser
import CarteraCore
import CreditBureau
import Foundation
import Logging
import Store

/// `cartera report buro --month AAAA-MM`: the monthly tape for Buró de Crédito (personas físicas).
struct BureauReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buro",
        abstract: "Genera la cinta mensual INTF para Buró de Crédito (personas físicas).",
        discussion: """
            Se arma con la foto del cierre del último día del mes (debe estar cerrado): los créditos vigentes ese día y \
            los liquidados en el mes, con su MOP según los días de atraso. Los créditos de personas morales van en otra \
            cinta y se cuentan aparte. El formato sigue una implementación de producción y debe confirmarse contra el \
            manual vigente de Buró (versión, clave de otorgante y segmentos) antes del primer envío.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Mes, AAAA-MM.")
    var month: String

    @Option(help: "Clave de otorgante asignada por Buró.")
    var member: String

    @Option(name: .customLong("member-name"), help: "Nombre del otorgante registrado en Buró (16 caracteres).")
    var memberName: String

    @Option(name: .customLong("format-version"), help: "Versión del formato INTF (11 por omisión).")
    var formatVersion = "11"

    @Option(help: "Archivo a escribir.")
    var output: String

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func validate() throws {
        guard BureauTapes.lastDay(of: month) != nil else { throw ValidationError("--month se escribe AAAA-MM, como 2026-10.") }
    }

    struct Output: Encodable {
        let tape: BureauTapes.Generated
        let output: String?
    }

    func run() async throws {
        let configuration = try global.configuration()
        let keys = try loadKeys()
        let member = BuroTape.Member(code: member, name: memberName, version: formatVersion)
        let (month, lender) = (month, lender)
        let tape = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
            let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
            return try await BureauTapes(database: database, keys: keys).monthly(month: month, member: member, lenderID: lenderID, actor: .commandLine)
        }
        try GeneratedFile.write(
            tape.text, issues: tape.issues, to: output, json: json, printJSON: { try Terminal.printJSON(Output(tape: tape, output: nil)) },
            refusal: "La cinta no pasó la validación"
        )
        if json { return try Terminal.printJSON(Output(tape: tape, output: output)) }
        print("✓ Cinta de \(tape.month) (al \(tape.reportDate.text)): \(tape.accounts) cuenta(s) en «\(output)» (SHA-256 \(tape.sha256 ?? "")).")
        if tape.companiesLeftOut > 0 { print("  \(tape.companiesLeftOut) crédito(s) de personas morales no van en esta cinta.") }
    }
}
