import App
import ArgumentParser
import CarteraCore
import Compliance
import Foundation
import Logging
import Store

/// `cartera lists`: the sanctions, blocked-persons and PEP lists screening uses.
struct ListsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lists",
        abstract: "Listas de sanciones, personas bloqueadas y PEP para el filtrado de clientes.",
        subcommands: [Import.self, Show.self]
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case sdnCSV = "sdn-csv"
        case sdnXML = "sdn-xml"
        case unXML = "un-xml"
        case csv

        /// The reader's version, part of the import's digest: files read differently by a newer version import again.
        var parserVersion: Int {
            switch self {
            case .sdnCSV: SDNList.parserVersion
            case .sdnXML: SDNXML.parserVersion
            case .unXML: UNList.parserVersion
            case .csv: 1
            }
        }
    }

    /// `cartera lists import --format sdn-csv FILE [--alt ALT.csv]`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importa una lista (reemplaza sus entradas en una sola transacción; queda en la bitácora).",
            discussion: """
                sdn-csv: la lista SDN de OFAC en sus archivos CSV (sdn.csv, y con --alt el alt.csv de sus nombres \
                alternativos). sdn-xml: la misma lista en SDN.XML (cualquiera de sus dos espacios de nombres). un-xml: la \
                lista consolidada del Consejo de Seguridad de la ONU (de bloqueo). csv: una lista propia (la Lista de Personas Bloqueadas, PEP, interna) con encabezado \
                id,nombre,tipo,alias,rfc,curp,pasaporte,fecha_nacimiento,programa (id y nombre obligatorios; alias y \
                programa separados por «|»), con --list para su nombre. Importar los mismos archivos otra vez no cambia nada.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Formato del archivo: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: Format

        @Argument(help: "Archivo de la lista.")
        var file: String

        @Option(help: "sdn-csv: el archivo alt.csv con los nombres alternativos.")
        var alt: String?

        @Option(help: "csv: nombre de la lista (por ejemplo LPB o PEP), en mayúsculas, dígitos y guiones.")
        var list: String?

        @Option(help: "Qué significa una coincidencia confirmada: \(ListPurpose.allCases.map(\.rawValue).joined(separator: ", ")). Por omisión LPB y UN son de bloqueo, PEP… de PEP, OFAC de sanciones y las demás internas.")
        var purpose: ListPurpose?

        @Flag(help: "No vuelve a filtrar a los clientes con la lista importada (hágalo después con cartera screening run).")
        var skipRescreen = false

        func validate() throws {
            switch format {
            case .sdnCSV, .sdnXML, .unXML:
                guard list == nil else {
                    throw ValidationError("--list es para --format csv; la lista se llama \(format == .unXML ? UNList.name : SDNList.name).")
                }
                if format != .sdnCSV, alt != nil { throw ValidationError("--alt es para --format sdn-csv; el XML ya trae los nombres alternativos.") }
            case .csv:
                guard let list, (2...40).contains(list.count), list.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "-" }) else {
                    throw ValidationError("--format csv necesita --list con el nombre de la lista (por ejemplo LPB), en mayúsculas, dígitos y guiones.")
                }
                guard alt == nil else { throw ValidationError("--alt es para --format sdn-csv; en csv los alias van en la columna alias, separados por «|».") }
                guard list != SDNList.name else { throw ValidationError("\(SDNList.name) es la lista SDN de OFAC; impórtela con --format sdn-csv o sdn-xml, o use otro nombre.") }
                guard list != UNList.name else { throw ValidationError("\(UNList.name) es la lista consolidada de la ONU; impórtela con --format un-xml o use otro nombre.") }
            }
        }

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let main = try read(file)
            let aliases = try alt.map(read)
            let entries: [ListEntry]
            let name: String
            switch format {
            case .sdnCSV: (entries, name) = (try SDNList.parse(sdn: main, alt: aliases), SDNList.name)
            case .sdnXML: (entries, name) = (try SDNXML.parse(main), SDNList.name)
            case .unXML: (entries, name) = (try UNList.parse(main), UNList.name)
            case .csv: (entries, name) = (try ListCSV.parse(main, list: list ?? ""), list ?? "")
            }
            // An empty or cut download must never wipe a list.
            guard !entries.isEmpty else {
                throw ValidationError("«\(file)» no tiene entradas: la lista \(name) se deja como estaba. Revise el archivo (¿descarga incompleta?) y vuelva a importarlo.")
            }
            // The parser's version is part of the digest: files read differently by a newer version are imported again.
            let reader = Array("\(format.rawValue) v\(format.parserVersion)".utf8)
            let purpose = purpose ?? ListPurpose.default(forList: name)
            let keys = skipRescreen ? nil : try loadKeys()
            let showProgress = !json && Terminal.progressVisible
            let (summary, screened) = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.lists")) { database in
                let summary = try await Watchlists(database: database).importList(
                    entries, list: name, format: format.rawValue, purpose: purpose, files: [reader, main] + (aliases.map { [$0] } ?? []), actor: .commandLine
                )
                // Every list update re-screens every client, representative and beneficial owner.
                guard let keys, !summary.unchanged else { return (summary, nil as ClientScreening.Summary?) }
                let screened = try await ClientScreening(database: database, keys: keys).screenAll(actor: .commandLine) { done, total in
                    if showProgress { Terminal.progress("Filtrando clientes: \(done) de \(total)") }
                }
                return (summary, screened)
            }
            if showProgress { Terminal.progress("") }
            if json { return try Terminal.printJSON(Output(list: summary, screening: screened)) }
            if summary.unchanged {
                print("✓ \(summary.list): los mismos archivos ya estaban importados (\(summary.entries) entradas); no cambió nada.")
            } else {
                print("✓ \(summary.list) (\(summary.purpose.label)): \(summary.entries) entradas (\(summary.added) nuevas, \(summary.changed) cambiadas, \(summary.removed) quitadas).")
            }
            if let screened { ScreeningCommand.describe(screened) }
        }

        struct Output: Encodable {
            let list: Watchlists.ImportSummary
            let screening: ClientScreening.Summary?
        }

        func read(_ path: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("No se pudo leer «\(path)». Revise la ruta y los permisos del archivo.")
            }
            return [UInt8](data)
        }
    }

    /// `cartera lists show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Muestra las listas importadas.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Imprime el resultado como JSON.")
        var json = false

        func run() async throws {
            let configuration = try global.configuration()
            let lists = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.lists")) { database in
                try await Watchlists(database: database).lists()
            }
            if json { return try Terminal.printJSON(lists) }
            if lists.isEmpty { print("No hay listas importadas. Importe una con: cartera lists import --format sdn-csv sdn.csv --alt alt.csv") }
            for list in lists { print("\(list.list) (\(list.format), \(list.purpose.label)): \(list.entries) entradas, importada \(list.importedAt) por \(list.importedBy)") }
        }
    }
}

/// `cartera screen --name "…"`: a name (and identifiers) against the imported lists.
struct ScreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Busca un nombre (y su RFC, CURP o pasaporte) en las listas importadas.",
        discussion: """
            Compara el nombre palabra por palabra sin acentos ni partículas, en cualquier orden, con apodos, sonidos \
            equivalentes y errores de una letra; las palabras comunes pesan menos. Muestra las entradas parecidas con su \
            puntaje (0 a 1); desde el umbral (0.85) son coincidencias que se deben revisar.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Nombre completo de la persona o razón social.")
    var name: String

    @Option(help: "Fecha de nacimiento, AAAA-MM-DD.")
    var birthDate: String?

    @Option(help: "RFC, CURP o número de pasaporte (se puede repetir).")
    var identifier: [String] = []

    @Option(help: "Umbral de coincidencia, de 0.5 a 1.")
    var threshold = NameScreening.Options().threshold

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func validate() throws {
        guard (0.5...1).contains(threshold) else { throw ValidationError("--threshold va de 0.5 a 1.") }
        if let birthDate, CalendarDate(text: birthDate) == nil { throw ValidationError("--birth-date se escribe AAAA-MM-DD.") }
        guard !NameText.tokens(name).isEmpty || !identifier.isEmpty else { throw ValidationError("--name no tiene letras que comparar.") }
    }

    struct Output: Encodable {
        let name: String
        let lists: [String]
        let threshold: Double
        let matches: [NameScreening.Match]
    }

    func run() async throws {
        let configuration = try global.configuration()
        let (lists, entries) = try await Database.withOpened(configuration.databaseURL, logger: Logger(label: "cartera.screen")) { database in
            let watchlists = Watchlists(database: database)
            return (try await watchlists.lists(), try await watchlists.entries())
        }
        guard !lists.isEmpty else {
            throw ValidationError("No hay listas importadas. Importe una con: cartera lists import --format sdn-csv sdn.csv --alt alt.csv")
        }
        var options = NameScreening.Options()
        options.threshold = threshold
        options.cutoff = min(options.cutoff, threshold)
        let matches = NameScreening(entries: entries).screen(name: name, birthDate: birthDate, identifiers: identifier, options: options)
        if json { return try Terminal.printJSON(Output(name: name, lists: lists.map(\.list), threshold: threshold, matches: matches)) }
        let hits = matches.filter(\.isMatch)
        print(hits.isEmpty ? "✓ Sin coincidencias para «\(name)» en \(lists.map(\.list).joined(separator: ", "))." : "⚠ \(hits.count) coincidencia(s) para «\(name)»: revísela(s) antes de operar.")
        for match in matches {
            let mark = match.isMatch ? "⚠" : "·"
            let programs = match.entry.programs.isEmpty ? "" : " [\(match.entry.programs.joined(separator: ", "))]"
            print("  \(mark) \(String(format: "%.3f", match.score))  \(match.entry.name)\(programs) — \(match.entry.id); coincidió \(match.reason): \(match.matchedName)")
        }
    }
}

extension ListPurpose: ExpressibleByArgument {}
