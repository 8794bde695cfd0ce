import CarteraCore
import Foundation

/// The lender's mapping from what its files say to the CNBV catalogue keys the UIF files need: the economic activity
/// (7 digits) of each occupation or line of business, and the locality key of each city and state. The catalogues are
/// the compliance officer's data (some keys are unverified in the notes), kept as a CSV with header
/// `catalogo,texto,clave`: `actividad,Comerciante,8944098` or `localidad,"Xalapa, VZ",30087001`.
public struct UIFCatalogs: Sendable, Hashable {
    public private(set) var activities: [String: String] = [:]
    public private(set) var localities: [String: String] = [:]

    public init(activities: [String: String] = [:], localities: [String: String] = [:]) {
        for (text, code) in activities { self.activities[Self.key(text)] = code }
        for (text, code) in localities { self.localities[Self.key(text)] = code }
    }

    /// Accents, case and spacing do not matter.
    public static func key(_ text: String) -> String {
        NameText.fold(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The activity key for an occupation or line of business.
    public func activity(_ text: String) -> String? { activities[Self.key(text)] }

    /// The locality key for a city in a state (`Xalapa`, `VZ`).
    public func locality(city: String, state: String) -> String? { localities[Self.key("\(city), \(state)")] }

    /// A catalogue file that could not be read.
    public struct Invalid: CarteraError, Equatable {
        public let line: Int
        public let reason: String
        public var code: String { "uif_catalog_invalid" }
        public var message: String { "El catálogo no se pudo leer en la línea \(line): \(reason). Corríjalo y vuelva a generar el reporte." }
    }

    public static func parse(_ data: [UInt8]) throws(Invalid) -> UIFCatalogs {
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(data.dropFirst(3)) : data
        var tokenizer = CSVTokenizer(bytes: bytes[...], delimiter: UInt8(ascii: ","), line: 1)
        var catalogs = UIFCatalogs()
        var first = true
        while true {
            let line = tokenizer.line
            let row: [String]
            do {
                guard let next = try tokenizer.next() else { break }
                row = next.map { $0.trimmingCharacters(in: .whitespaces) }
            } catch { throw Invalid(line: error.line, reason: "unas comillas no se cierran") }
            if first {
                first = false
                guard row.map({ $0.lowercased() }) == ["catalogo", "texto", "clave"] else { throw Invalid(line: line, reason: "el encabezado es catalogo,texto,clave") }
                continue
            }
            if row.allSatisfy(\.isEmpty) { continue }
            guard row.count == 3, !row[1].isEmpty else { throw Invalid(line: line, reason: "se esperan tres columnas: catalogo, texto y clave") }
            let key = Self.key(row[1])
            switch row[0].lowercased() {
            case "actividad":
                guard row[2].count == 7, row[2].allSatisfy({ $0.isASCII && $0.isNumber }) else { throw Invalid(line: line, reason: "la clave de actividad tiene 7 dígitos") }
                guard catalogs.activities[key] == nil || catalogs.activities[key] == row[2] else { throw Invalid(line: line, reason: "«\(row[1])» ya tiene otra clave de actividad") }
                catalogs.activities[key] = row[2]
            case "localidad":
                guard (1...8).contains(row[2].count), row[2].allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else { throw Invalid(line: line, reason: "la clave de localidad tiene de 1 a 8 caracteres") }
                guard catalogs.localities[key] == nil || catalogs.localities[key] == row[2] else { throw Invalid(line: line, reason: "«\(row[1])» ya tiene otra clave de localidad") }
                catalogs.localities[key] = row[2]
            default:
                throw Invalid(line: line, reason: "el catálogo «\(row[0])» no existe; use actividad o localidad")
            }
        }
        return catalogs
    }
}
