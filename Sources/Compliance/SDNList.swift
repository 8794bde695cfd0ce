import CarteraCore
import Foundation

/// OFAC's Specially Designated Nationals list in its legacy CSV files: `sdn.csv` (`ent_num, SDN_Name, SDN_Type,
/// Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks`) and `alt.csv` (`ent_num, alt_num,
/// alt_type, alt_name, alt_remarks`), headerless, with `-0-` for an empty field; the raw file may end with a 0x1A byte.
/// Identifiers (R.F.C., C.U.R.P., passport, national ID) and dates of birth are read from the remarks.
public enum SDNList {
    public static let name = "OFAC-SDN"
    /// Changes when the parser reads the files differently, so the same files imported again are read again.
    public static let parserVersion = 2

    public typealias Failure = ListFileError

    public static func parse(sdn: [UInt8], alt: [UInt8]? = nil) throws(Failure) -> [ListEntry] {
        var aliases: [String: [String]] = [:]
        if let alt {
            for (line, row) in try rows(alt) {
                guard row.count >= 4 else { throw Failure(line: line, reason: "se esperaban al menos 4 columnas y hay \(row.count)") }
                guard let aliasName = value(row[3]) else { continue }
                aliases[row[0], default: []].append(aliasName)
            }
        }
        var entries: [ListEntry] = []
        for (line, row) in try rows(sdn) {
            guard row.count >= 12 else { throw Failure(line: line, reason: "se esperaban 12 columnas y hay \(row.count)") }
            guard !row[0].isEmpty, row[0].allSatisfy(\.isNumber), let name = value(row[1]) else {
                throw Failure(line: line, reason: "falta el número o el nombre de la entrada")
            }
            let kind: ListEntry.Kind = switch value(row[2])?.lowercased() {
            case "individual": .individual
            case "vessel": .vessel
            case "aircraft": .aircraft
            default: .entity
            }
            let remarks = value(row[11])
            let programs = value(row[3]).map { $0.split(separator: "]").flatMap { $0.split(separator: "[") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
            entries.append(
                ListEntry(
                    id: "\(Self.name):\(row[0])", list: Self.name, kind: kind, name: name, aliases: aliases[row[0]] ?? [], programs: programs,
                    identifiers: remarks.map(identifiers) ?? [], birthDates: remarks.map(birthDates) ?? [], remarks: remarks
                )
            )
        }
        return entries
    }

    /// The rows with the line each starts on; a trailing 0x1A (DOS end of file) is ignored.
    static func rows(_ bytes: [UInt8]) throws(Failure) -> [(Int, [String])] {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x1A || bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        var tokenizer = CSVTokenizer(bytes: bytes[0..<end], delimiter: UInt8(ascii: ","), line: 1)
        var result: [(Int, [String])] = []
        while true {
            let line = tokenizer.line
            let row: [String]?
            do { row = try tokenizer.next() } catch { throw Failure(line: error.line, reason: "unas comillas no se cierran") }
            guard let row else { break }
            if row.count == 1 && row[0].isEmpty { continue }
            result.append((line, row))
        }
        return result
    }

    /// A field's value; nil for OFAC's empty marker `-0-`.
    static func value(_ field: String) -> String? {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed == "-0-" ? nil : trimmed
    }

    /// The remark parts (split at `;`), trimmed, with a leading `alt. ` (an alternate value) dropped.
    static func parts(_ remarks: String) -> [String] {
        remarks.split(separator: ";").map { part in
            let text = part.trimmingCharacters(in: CharacterSet(charactersIn: " ."))
            return text.hasPrefix("alt. ") ? String(text.dropFirst(5)) : text
        }
    }

    /// `R.F.C. AUAM-530929 (Mexico); C.U.R.P. AUAM530929HBSGMG08 (Mexico); Passport 123 (Mexico)`, alternates
    /// (`alt. R.F.C. …`) and numbers written after `#` included.
    static func identifiers(_ remarks: String) -> [ListEntry.Identifier] {
        let kinds: [(prefix: String, type: String)] = [
            ("R.F.C. ", "RFC"), ("C.U.R.P. ", "CURP"), ("Passport ", "PASAPORTE"), ("Cedula No. ", "CEDULA"), ("National ID No. ", "ID_NACIONAL"),
            ("Credencial electoral ", "INE"),
        ]
        var found: [ListEntry.Identifier] = []
        for text in parts(remarks) {
            for kind in kinds where text.hasPrefix(kind.prefix) {
                var rest = text.dropFirst(kind.prefix.count)
                if rest.hasPrefix("# ") { rest = rest.dropFirst(2) }
                let number = rest.prefix { $0 != " " && $0 != "(" }
                let identifier = ListEntry.Identifier(type: kind.type, number: String(number))
                if !identifier.number.isEmpty { found.append(identifier) }
            }
        }
        return found
    }

    /// `DOB 29 Sep 1953` → `1953-09-29`; `DOB 1953` and `DOB circa 1960` → the year; a range (`DOB 1929 to 1930`,
    /// `DOB 01 Jan 1953 to 31 Dec 1954`) → every year it covers (up to 20); alternates (`alt. DOB …`) too.
    static func birthDates(_ remarks: String) -> [String] {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var dates: [String] = []
        for text in parts(remarks) where text.hasPrefix("DOB ") {
            let body = text.dropFirst(4)
            let ends = body.components(separatedBy: " to ")
            let years = ends.compactMap { end in end.split(separator: " ").last.flatMap { Int($0.prefix(4)) } }
            if ends.count == 2, years.count == 2, years[0] <= years[1], years[1] - years[0] <= 20 {
                dates += (years[0]...years[1]).map(String.init)
                continue
            }
            let words = body.split(separator: " ").filter { $0 != "circa" }
            if words.count >= 3, let day = Int(words[0]), let month = months.firstIndex(of: String(words[1])), let year = Int(words[2].prefix(4)) {
                dates.append(String(format: "%04d-%02d-%02d", year, month + 1, day))
            } else if let last = words.last, let year = Int(last.prefix(4)), last.count >= 4 {
                dates.append(String(year))
            }
        }
        return dates
    }
}
