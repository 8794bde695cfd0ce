import Foundation
import CarteraCore

/// A lender's own list as CSV (the Lista de Personas Bloqueadas the UIF sends, a PEP list, an internal list), with a
/// header row naming the columns, in any order:
///
///     id,nombre,tipo,alias,rfc,curp,pasaporte,fecha_nacimiento,programa
///
/// `id` and `nombre` are required; `tipo` is `persona` (default) or `entidad`; `alias` and `programa` hold several
/// values separated by `|`; `fecha_nacimiento` is `AAAA-MM-DD` or a year. Any other column is ignored. Every row is
/// checked: one bad row rejects the file, naming its line and what to fix. Separated by commas, or by semicolons.
public enum ListCSV {
    public static let columns = ["id", "nombre", "tipo", "alias", "rfc", "curp", "pasaporte", "fecha_nacimiento", "programa"]

    public typealias Failure = ListFileError

    /// The entries of `list` (its name, e.g. `LPB`), ids prefixed with it (`LPB:17`).
    public static func parse(_ data: [UInt8], list: String) throws(Failure) -> [ListEntry] {
        // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(data.dropFirst(3)) : data
        // Comma-separated, or semicolon-separated when the header has semicolons and no comma (as spreadsheets in
        // Spanish save it).
        let header = bytes.prefix { $0 != 0x0A }
        let delimiter = header.contains(UInt8(ascii: ";")) && !header.contains(UInt8(ascii: ",")) ? UInt8(ascii: ";") : UInt8(ascii: ",")
        var tokenizer = CSVTokenizer(bytes: bytes[...], delimiter: delimiter, line: 1)
        func next() throws(Failure) -> (Int, [String])? {
            let line = tokenizer.line
            do {
                guard let row = try tokenizer.next() else { return nil }
                return (line, row)
            } catch { throw Failure(line: error.line, reason: "unas comillas no se cierran") }
        }
        guard let (_, header) = try next() else { throw Failure(line: 1, reason: "el archivo está vacío; la primera fila nombra las columnas: \(columns.joined(separator: ","))") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where columns.contains(name) {
            guard index[name] == nil else { throw Failure(line: 1, reason: "la columna «\(name)» aparece dos veces") }
            index[name] = position
        }
        guard index["id"] != nil, index["nombre"] != nil else {
            throw Failure(line: 1, reason: "faltan las columnas id y nombre (encabezado: \(columns.joined(separator: ",")))")
        }
        var entries: [ListEntry] = []
        var seen: Set<String> = []
        while let (line, row) = try next() {
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard row.count == names.count else { throw Failure(line: line, reason: "tiene \(row.count) columnas y el encabezado \(names.count)") }
            func value(_ column: String) -> String { index[column].map { row[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            let id = value("id"), name = value("nombre")
            guard !id.isEmpty else { throw Failure(line: line, reason: "falta el id") }
            guard !name.isEmpty, !NameText.tokens(name).isEmpty else { throw Failure(line: line, reason: "falta el nombre") }
            guard seen.insert(id).inserted else { throw Failure(line: line, reason: "el id \(id) se repite") }
            let kind: ListEntry.Kind
            switch value("tipo").lowercased() {
            case "", "persona", "fisica", "física": kind = .individual
            case "entidad", "moral", "empresa": kind = .entity
            default: throw Failure(line: line, reason: "tipo «\(value("tipo"))»: use persona o entidad")
            }
            let birth = value("fecha_nacimiento")
            guard birth.isEmpty || CalendarDate(text: birth) != nil || (birth.count == 4 && Int(birth) != nil) else {
                throw Failure(line: line, reason: "fecha_nacimiento «\(birth)»: use AAAA-MM-DD o el año")
            }
            var identifiers: [ListEntry.Identifier] = []
            for (column, type) in [("rfc", "RFC"), ("curp", "CURP"), ("pasaporte", "PASAPORTE")] where !value(column).isEmpty {
                identifiers.append(ListEntry.Identifier(type: type, number: value(column)))
            }
            func several(_ column: String) -> [String] {
                value(column).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            entries.append(
                ListEntry(
                    id: "\(list):\(id)", list: list, kind: kind, name: name, aliases: several("alias"), programs: several("programa"), identifiers: identifiers,
                    birthDates: birth.isEmpty ? [] : [birth]
                )
            )
        }
        return entries
    }
}
