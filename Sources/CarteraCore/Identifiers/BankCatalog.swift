import Foundation

/// The participants of SPEI (Banco de México's interbank payment system) and the 3-digit CLABE prefix of each.
///
/// The catalog is data, not code: a copy ships with Cartera (`Resources/spei-participants.csv`, columns
/// `clabe_prefix,spei_code,name`) and a lender can load an updated copy of Banxico's published list with
/// `init(csv:)` or `init(contentsOf:)`.
public struct BankCatalog: Sendable {
    /// One SPEI participant.
    public struct Participant: Sendable, Hashable, Codable {
        /// The first three digits of its CLABEs, e.g. `012`.
        public let clabePrefix: String
        /// Its SPEI institution code (5 digits, 4 for Banxico itself), e.g. `40012`.
        public let speiCode: String
        /// Its short name, e.g. `BBVA Mexico`.
        public let name: String
    }

    /// Why a catalog file could not be read.
    public struct LoadError: CarteraError {
        public let line: Int
        public let detail: String
        public var code: String { "bank_catalog_invalid" }
        public var message: String {
            "El catálogo de participantes SPEI no es válido (línea \(line): \(detail)). "
                + "Use el formato clabe_prefix,spei_code,name con un participante por línea."
        }
    }

    /// Participants by CLABE prefix.
    public let participantsByPrefix: [String: Participant]

    /// Reads a catalog from CSV text with the header `clabe_prefix,spei_code,name`.
    public init(csv: String) throws(LoadError) {
        var participants: [String: Participant] = [:]
        let lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if index == 0 && line.lowercased().hasPrefix("clabe_prefix") { continue }
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                .map { String($0).trimmingWhitespace() }
            guard fields.count == 3 else { throw LoadError(line: index + 1, detail: "se esperaban 3 columnas") }
            let (prefix, code, name) = (fields[0], fields[1], fields[2])
            guard prefix.count == 3, prefix.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw LoadError(line: index + 1, detail: "el prefijo «\(prefix)» no tiene 3 dígitos")
            }
            guard (4...5).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw LoadError(line: index + 1, detail: "la clave SPEI «\(code)» debe tener 4 o 5 dígitos")
            }
            guard !name.isEmpty else { throw LoadError(line: index + 1, detail: "falta el nombre") }
            guard participants[prefix] == nil else {
                throw LoadError(line: index + 1, detail: "el prefijo \(prefix) está repetido")
            }
            participants[prefix] = Participant(clabePrefix: prefix, speiCode: code, name: name)
        }
        guard !participants.isEmpty else { throw LoadError(line: 1, detail: "no contiene participantes") }
        participantsByPrefix = participants
    }

    /// Reads a catalog file.
    public init(contentsOf url: URL) throws {
        try self.init(csv: String(contentsOf: url, encoding: .utf8))
    }

    /// The participant that owns a CLABE prefix.
    public func participant(forPrefix prefix: some StringProtocol) -> Participant? {
        participantsByPrefix[String(prefix)]
    }

    /// The catalog that ships with Cartera.
    public static let bundled: BankCatalog = {
        guard let url = Bundle.module.url(forResource: "spei-participants", withExtension: "csv"),
            let catalog = try? BankCatalog(contentsOf: url)
        else {
            preconditionFailure("spei-participants.csv is missing from the CarteraCore resources")
        }
        return catalog
    }()
}
