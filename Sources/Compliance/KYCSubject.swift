import Foundation

/// Whose document it is within a client's file: the client, one of a company's representatives or one of its
/// beneficial owners, by their position (from 1) in the client's data. Stored as `cliente`, `representante-2`,
/// `beneficiario-1`.
public struct KYCSubject: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let scope: KYCDocumentKind.Scope
    /// 1-based position among the representatives or beneficial owners; 0 for the client.
    public let position: Int

    public static let client = KYCSubject(scope: .client, position: 0)
    public static func representative(_ position: Int) -> KYCSubject { KYCSubject(scope: .representative, position: position) }
    public static func beneficialOwner(_ position: Int) -> KYCSubject { KYCSubject(scope: .beneficialOwner, position: position) }

    public var description: String {
        switch scope {
        case .client: "cliente"
        case .representative: "representante-\(position)"
        case .beneficialOwner: "beneficiario-\(position)"
        }
    }

    /// Reads `cliente`, `representante-N` or `beneficiario-N`; nil for anything else.
    public init?(text: String) {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value == "cliente" { self = .client; return }
        for (prefix, scope) in [("representante-", KYCDocumentKind.Scope.representative), ("beneficiario-", .beneficialOwner)] where value.hasPrefix(prefix) {
            guard let position = Int(value.dropFirst(prefix.count)), position >= 1, position <= 99 else { return nil }
            self.init(scope: scope, position: position)
            return
        }
        return nil
    }

    init(scope: KYCDocumentKind.Scope, position: Int) {
        self.scope = scope
        self.position = position
    }

    public static func < (lhs: KYCSubject, rhs: KYCSubject) -> Bool {
        (lhs.scopeRank, lhs.position) < (rhs.scopeRank, rhs.position)
    }

    var scopeRank: Int { scope == .client ? 0 : scope == .representative ? 1 : 2 }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let subject = KYCSubject(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown subject \(text)"))
        }
        self = subject
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
