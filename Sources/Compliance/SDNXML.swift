import CarteraCore
import Foundation

/// OFAC's Specially Designated Nationals list as `SDN.XML`: a root `sdnList` (in the old `http://tempuri.org/sdnList.xsd`
/// namespace or the Sanctions List Service's newer one; elements are matched by local name, so either reads the same)
/// with `publshInformation` and one `sdnEntry` per listed person, entity, vessel or aircraft — `uid`, `firstName`,
/// `lastName`, `sdnType`, `remarks`, `programList`, `idList`, `akaList`, `dateOfBirthList`, among others.
///
/// The entries are those `SDNList` reads from the CSV files — same list name, ids (`OFAC-SDN:<uid>`), names
/// (`GUZMAN LOERA, Joaquin`), identifier types and dates of birth — so either format replaces the same list.
public enum SDNXML {
    /// Changes when the parser reads the file differently, so the same file imported again is read again.
    public static let parserVersion = 1

    public typealias Failure = ListFileError

    /// Every `sdnEntry` of the document, in order. A malformed document, another root element, or an entry without
    /// its `uid`, `lastName` or `sdnType` (or with a repeated `uid`) rejects the whole file.
    public static func parse(_ data: [UInt8]) throws(Failure) -> [ListEntry] {
        let root: XMLElementNode
        do {
            root = try XMLElementNode.parse(Data(data))
        } catch {
            throw Failure(line: error.line, reason: error.reason)
        }
        guard root.name == "sdnList" else {
            throw Failure(line: root.line, reason: "el elemento raíz es <\(root.name)>, no <sdnList> de OFAC")
        }
        var entries: [ListEntry] = []
        var seen: Set<String> = []
        for node in root.all("sdnEntry") {
            guard let uid = node.text("uid"), uid.allSatisfy(\.isNumber) else {
                throw Failure(line: node.line, reason: "a la entrada <sdnEntry> le falta su <uid> numérico")
            }
            guard let name = Self.name(node) else { throw Failure(line: node.line, reason: "a la entrada \(uid) le falta <lastName>") }
            guard let sdnType = node.text("sdnType") else { throw Failure(line: node.line, reason: "a la entrada \(uid) le falta <sdnType>") }
            guard seen.insert(uid).inserted else { throw Failure(line: node.line, reason: "el uid \(uid) se repite") }
            let kind: ListEntry.Kind = switch sdnType.lowercased() {
            case "individual": .individual
            case "vessel": .vessel
            case "aircraft": .aircraft
            default: .entity
            }
            let aliases = (node.child("akaList")?.all("aka") ?? []).compactMap { Self.name($0) }
            let programs = (node.child("programList")?.all("program") ?? []).compactMap { Self.value($0) }
            let identifiers = (node.child("idList")?.all("id") ?? []).compactMap { Self.identifier($0) }
            let birthDates = (node.child("dateOfBirthList")?.all("dateOfBirthItem") ?? []).flatMap { item in
                item.text("dateOfBirth").map { SDNList.birthDates("DOB \($0)") } ?? []
            }
            entries.append(
                ListEntry(
                    id: "\(SDNList.name):\(uid)", list: SDNList.name, kind: kind, name: name, aliases: aliases, programs: programs,
                    identifiers: identifiers, birthDates: birthDates, remarks: node.text("remarks")
                )
            )
        }
        return entries
    }

    /// `lastName, firstName` as the CSV writes it (`GUZMAN LOERA, Joaquin`), or the last name alone (entities, vessels,
    /// one-word names); nil without a last name. For entries and their `aka`s alike.
    static func name(_ node: XMLElementNode) -> String? {
        guard let last = node.text("lastName") else { return nil }
        guard let first = node.text("firstName") else { return last }
        return "\(last), \(first)"
    }

    /// An element's own trimmed text; nil when empty.
    static func value(_ node: XMLElementNode) -> String? {
        let text = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// An `id` of the kinds `SDNList` reads from the CSV remarks (R.F.C., C.U.R.P., passport, cédula, national ID,
    /// credencial electoral), with the same type names; nil for other kinds (web sites, e-mail, SWIFT/BIC, …).
    static func identifier(_ node: XMLElementNode) -> ListEntry.Identifier? {
        guard let type = node.text("idType").flatMap(Self.identifierType), let number = node.text("idNumber") else { return nil }
        let identifier = ListEntry.Identifier(type: type, number: number)
        return identifier.number.isEmpty ? nil : identifier
    }

    /// `R.F.C.` → `RFC`, `C.U.R.P.` → `CURP`, `Passport` → `PASAPORTE`, `Cedula No.` → `CEDULA`, `National ID No.` →
    /// `ID_NACIONAL`, `Credencial electoral` → `INE` (dots, spaces, case and accents aside); nil for anything else.
    static func identifierType(_ idType: String) -> String? {
        let folded = idType.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let key = String(String.UnicodeScalarView(folded.unicodeScalars.filter { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }))
        switch key {
        case "RFC": return "RFC"
        case "CURP": return "CURP"
        case "PASSPORT", "DIPLOMATICPASSPORT": return "PASAPORTE"
        case "CEDULANO": return "CEDULA"
        case "NATIONALIDNO": return "ID_NACIONAL"
        case "CREDENCIALELECTORAL": return "INE"
        default: return nil
        }
    }
}
