import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

/// `cartera report uif`: the UIF files of relevantes and inusuales.
struct UIFReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uif",
        abstract: "Genera el archivo para la UIF: relevantes de un trimestre o inusuales dictaminados como reportables.",
        discussion: """
            Relevantes: las operaciones en efectivo del trimestre que el monitoreo marcó (--period 2026Q3); sin \
            operaciones se genera el reporte en ceros. Inusuales: los casos dictaminados reportables (incluidos los de 24 \
            horas) aún no reportados, con fecha de reporte --period AAAA-MM-DD. El catálogo (CSV catalogo,texto,clave) da \
            la clave de actividad económica de cada ocupación o giro y la de localidad de cada ciudad. El archivo solo se \
            escribe si pasa la validación del formato; si no, se dice qué corregir. El formato de 36 columnas y sus claves \
            deben confirmarse contra el instructivo oficial vigente.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case relevantes, inusuales
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "relevantes o inusuales.")
    var type: Kind

    @Option(help: "Relevantes: el trimestre, como 2026Q3. Inusuales: la fecha del reporte, AAAA-MM-DD.")
    var period: String

    @Option(help: "Clave del sujeto obligado (CASFIM o registro CONDUSEF, de 6 a 8 caracteres).")
    var entity: String

    @Option(help: "Clave de localidad de la sucursal (catálogo de la CNBV).")
    var locality: String

    @Option(name: .customLong("postal-code"), help: "Código postal de la sucursal.")
    var postalCode: String

    @Option(help: "Clave del órgano supervisor (001002 por omisión; confírmela con la CNBV).")
    var organ = "001002"

    @Option(help: "Catálogo CSV (catalogo,texto,clave) de actividades económicas y localidades.")
    var catalogs: String

    @Option(help: "Archivo a escribir.")
    var output: String

    @Option(help: "Id del otorgante, si hay más de uno.")
    var lender: String?

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func validate() throws {
        switch type {
        case .relevantes: guard UIFReports.quarter(period) != nil else { throw ValidationError("--period de relevantes se escribe AAAAQn, como 2026Q3.") }
        case .inusuales: guard CalendarDate(text: period) != nil else { throw ValidationError("--period de inusuales es la fecha del reporte, AAAA-MM-DD.") }
        }
    }

    struct Output: Encodable {
        let report: UIFReports.Generated
        let output: String?
    }

    func run() async throws {
        let configuration = try global.configuration()
        let keys = try loadKeys()
        guard let data = FileManager.default.contents(atPath: catalogs) else { throw ValidationError("No se pudo leer «\(catalogs)». Revise la ruta del catálogo.") }
        let catalog = try UIFCatalogs.parse([UInt8](data))
        let filer = UIFReport.Filer(organ: organ, entity: entity, locality: locality, postalCode: postalCode)
        let (type, period, lender) = (type, period, lender)
        let report = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.report")) { database in
            let lenderID = try await database.withConnection { try await Administration.resolveLender(lender, on: $0) }
            let reports = UIFReports(database: database, keys: keys)
            switch type {
            case .relevantes: return try await reports.relevantes(quarter: period, filer: filer, catalogs: catalog, lenderID: lenderID, actor: .commandLine)
            case .inusuales:
                return try await reports.inusuales(reportDate: CalendarDate(text: period)!, filer: filer, catalogs: catalog, lenderID: lenderID, actor: .commandLine)
            }
        }
        try GeneratedFile.write(
            report.text, issues: report.issues, to: output, json: json, printJSON: { try Terminal.printJSON(Output(report: report, output: nil)) },
            refusal: "El reporte no pasó la validación"
        )
        if json { return try Terminal.printJSON(Output(report: report, output: output)) }
        print("✓ \(report.kind) \(report.period): \(report.records == 0 ? "reporte en ceros" : "\(report.records) registro(s)") en «\(output)» (SHA-256 \(report.sha256 ?? "")).")
        if !report.caseIds.isEmpty {
            print("  Casos incluidos: \(report.caseIds.joined(separator: ", ")). Al enviarlo, registre el acuse de cada uno: cartera cases reported CASO --reference FOLIO")
        }
    }
}
