/// One listed person, company, vessel or aircraft of a sanctions, blocked-persons or PEP list, with the names and
/// identifiers screening compares.
public struct ListEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case individual = "persona"
        case entity = "entidad"
        case vessel = "embarcacion"
        case aircraft = "aeronave"
    }

    /// An identifier as listed: RFC, CURP, passport, …, its number with separators removed and upper-cased.
    public struct Identifier: Sendable, Hashable, Codable {
        public let type: String
        public let number: String

        public init(type: String, number: String) {
            self.type = type
            self.number = Identifier.normalized(number)
        }

        /// Upper case, letters and digits only.
        public static func normalized(_ number: String) -> String {
            String(String.UnicodeScalarView(number.uppercased().unicodeScalars.filter { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }))
        }
    }

    /// The list's own key (`OFAC-SDN:7163`).
    public let id: String
    public let list: String
    public let kind: Kind
    /// As listed (`AGUILAR AMAO, Miguel`).
    public let name: String
    public let aliases: [String]
    public let programs: [String]
    public let identifiers: [Identifier]
    /// Dates of birth as listed, `AAAA-MM-DD` or a year `AAAA`.
    public let birthDates: [String]
    public let remarks: String?

    public init(
        id: String, list: String, kind: Kind, name: String, aliases: [String] = [], programs: [String] = [], identifiers: [Identifier] = [],
        birthDates: [String] = [], remarks: String? = nil
    ) {
        self.id = id
        self.list = list
        self.kind = kind
        self.name = name
        self.aliases = aliases
        self.programs = programs
        self.identifiers = identifiers
        self.birthDates = birthDates
        self.remarks = remarks
    }
}
