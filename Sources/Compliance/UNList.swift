import CarteraCore
import Foundation

/// The UN Security Council's consolidated sanctions list as XML: a root `CONSOLIDATED_LIST` with the individuals
/// (`INDIVIDUALS/INDIVIDUAL`: `DATAID`, `FIRST_NAME` … `FOURTH_NAME`, `UN_LIST_TYPE`, `REFERENCE_NUMBER`, `COMMENTS1`,
/// `INDIVIDUAL_ALIAS`, `INDIVIDUAL_DATE_OF_BIRTH`, `INDIVIDUAL_DOCUMENT`, …) and the entities (`ENTITIES/ENTITY`, named
/// by `FIRST_NAME`, with `ENTITY_ALIAS`).
///
/// Ids are `UN:<REFERENCE_NUMBER>` (`UN:QDi.001`), or `UN:<DATAID>` without one; names are the name parts joined as
/// the UN writes them, given names first; the program is the `UN_LIST_TYPE` (`Al-Qaida`, `DPRK`, …).
public enum UNList {
    public static let name = "UN"
    /// Changes when the parser reads the file differently, so the same file imported again is read again.
    public static let parserVersion = 1

    public typealias Failure = ListFileError

    /// The individuals, then the entities, in document order. A malformed document, another root element, or an entry
    /// without a name, without both `REFERENCE_NUMBER` and `DATAID`, or with a repeated one rejects the whole file.
    public static func parse(_ data: [UInt8]) throws(Failure) -> [ListEntry] {
        let root: XMLElementNode
        do {
            root = try XMLElementNode.parse(Data(data))
        } catch {
            throw Failure(line: error.line, reason: error.reason)
        }
        guard root.name == "CONSOLIDATED_LIST" else {
            throw Failure(line: root.line, reason: "el elemento raíz es <\(root.name)>, no <CONSOLIDATED_LIST> de la ONU")
        }
        let individuals = (root.child("INDIVIDUALS")?.all("INDIVIDUAL") ?? []).map { ($0, ListEntry.Kind.individual, "INDIVIDUAL_ALIAS") }
        let entities = (root.child("ENTITIES")?.all("ENTITY") ?? []).map { ($0, ListEntry.Kind.entity, "ENTITY_ALIAS") }
        var entries: [ListEntry] = []
        var seen: Set<String> = []
        for (node, kind, aliasElement) in individuals + entities {
            guard let key = node.text("REFERENCE_NUMBER") ?? node.text("DATAID") else {
                throw Failure(line: node.line, reason: "a la entrada <\(node.name)> le faltan <REFERENCE_NUMBER> y <DATAID>")
            }
            let parts = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"].compactMap { node.text($0) }
            guard !parts.isEmpty else { throw Failure(line: node.line, reason: "a la entrada \(key) le falta el nombre (<FIRST_NAME>)") }
            guard seen.insert(key).inserted else { throw Failure(line: node.line, reason: "la entrada \(key) se repite") }
            let aliases = node.all(aliasElement).compactMap { $0.text("ALIAS_NAME") }
            let identifiers = kind == .individual ? node.all("INDIVIDUAL_DOCUMENT").compactMap { Self.identifier($0) } : []
            let birthDates = kind == .individual ? node.all("INDIVIDUAL_DATE_OF_BIRTH").flatMap { Self.birthDates($0) } : []
            entries.append(
                ListEntry(
                    id: "\(Self.name):\(key)", list: Self.name, kind: kind, name: parts.joined(separator: " "), aliases: aliases,
                    programs: node.text("UN_LIST_TYPE").map { [$0] } ?? [], identifiers: identifiers, birthDates: birthDates,
                    remarks: node.text("COMMENTS1")
                )
            )
        }
        return entries
    }

    /// A document's number: `Passport` → `PASAPORTE`, a national identification number or card → `ID_NACIONAL`, any
    /// other (driving licence, residence permit, …) → `DOCUMENTO`; nil without a number.
    static func identifier(_ node: XMLElementNode) -> ListEntry.Identifier? {
        guard let number = node.text("NUMBER") else { return nil }
        let document = (node.text("TYPE_OF_DOCUMENT") ?? "").lowercased()
        let type = document.contains("passport") ? "PASAPORTE" : document.contains("national id") ? "ID_NACIONAL" : "DOCUMENTO"
        let identifier = ListEntry.Identifier(type: type, number: number)
        return identifier.number.isEmpty ? nil : identifier
    }

    /// `EXACT` or `APPROXIMATELY` with a `DATE` (`1965-08-20` → itself; a date without its day or month → the year) or
    /// a `YEAR`; `BETWEEN` → every year from `FROM_YEAR` to `TO_YEAR` (up to 20, as `SDNList` reads a range; a wider or
    /// reversed range gives its two ends).
    static func birthDates(_ node: XMLElementNode) -> [String] {
        if node.text("TYPE_OF_DATE")?.uppercased() == "BETWEEN", let from = node.text("FROM_YEAR").flatMap(Self.year),
            let to = node.text("TO_YEAR").flatMap(Self.year)
        {
            if from <= to, to - from <= 20 { return (from...to).map(String.init) }
            return from == to ? [String(from)] : [String(from), String(to)]
        }
        if let date = node.text("DATE") {
            if let exact = CalendarDate(text: String(date.prefix(10))) { return [exact.text] }
            if let year = Self.year(date) { return [String(year)] }
        }
        return node.text("YEAR").flatMap(Self.year).map { [String($0)] } ?? []
    }

    /// The four-digit year a text starts with (`1965`, `1965-00-00`); nil otherwise.
    static func year(_ text: String) -> Int? {
        let digits = text.prefix(4)
        guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(digits), year >= 1 else { return nil }
        return year
    }
}
