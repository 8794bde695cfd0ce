import CarteraCore
import Crypto
import Foundation

/// The keys that protect personal data at rest.
///
/// - Data keys (AES-256), each with a short id. New values are encrypted with `currentKeyID`; older keys stay in the
///   ring so values written with them can still be read until `cartera keys rotate` re-encrypts them.
/// - One index key (HMAC-SHA256) for blind indexes: exact lookups (by RFC, CURP, phone, e-mail, CLABE) without
///   storing the value in the clear. It is never rotated in place: changing it means rebuilding every index.
public struct KeyRing: Sendable {
    public let currentKeyID: String
    let dataKeys: [String: SymmetricKey]
    let indexKey: SymmetricKey

    /// Why key material was refused.
    public struct Invalid: CarteraError, Equatable {
        public let detail: String
        public init(detail: String) { self.detail = detail }
        public var code: String { "encryption_keys_invalid" }
        public var message: String {
            "Las llaves de cifrado no son válidas (\(detail)). Revise CARTERA_DATA_KEYS / CARTERA_INDEX_KEY o el archivo de llaves."
        }
    }

    /// Builds a ring from raw 32-byte keys.
    public init(currentKeyID: String, dataKeys: [String: [UInt8]], indexKey: [UInt8]) throws(Invalid) {
        guard dataKeys[currentKeyID] != nil else { throw Invalid(detail: "falta la llave vigente «\(currentKeyID)»") }
        for (id, key) in dataKeys {
            guard Self.isValidKeyID(id) else { throw Invalid(detail: "id de llave «\(id)» no válido: use letras, dígitos o guion, hasta 16") }
            guard key.count == 32 else { throw Invalid(detail: "la llave «\(id)» debe medir 32 bytes (AES-256)") }
        }
        guard indexKey.count == 32 else { throw Invalid(detail: "la llave de índices debe medir 32 bytes") }
        self.currentKeyID = currentKeyID
        self.dataKeys = dataKeys.mapValues { SymmetricKey(data: $0) }
        self.indexKey = SymmetricKey(data: indexKey)
    }

    /// The ids of every data key in the ring.
    public var keyIDs: [String] { dataKeys.keys.sorted() }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...16).contains(id.count) && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" } && id.allSatisfy(\.isASCII)
    }

    /// A new ring with fresh random keys (first start of an installation).
    public static func generate(keyID: String = "k1") -> KeyRing {
        // Force-try is safe: the generated values satisfy every rule above.
        try! KeyRing(currentKeyID: keyID, dataKeys: [keyID: randomKey()], indexKey: randomKey())
    }

    /// The same ring with a new current key added (the previous keys stay for reading).
    public func addingKey(id: String, key: [UInt8]? = nil) throws(Invalid) -> KeyRing {
        var raw = dataKeys.mapValues { $0.withUnsafeBytes { Array($0) } }
        guard raw[id] == nil else { throw Invalid(detail: "ya existe una llave «\(id)»") }
        raw[id] = key ?? Self.randomKey()
        return try KeyRing(currentKeyID: id, dataKeys: raw, indexKey: indexKey.withUnsafeBytes { Array($0) })
    }

    static func randomKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }
}

extension KeyRing {
    /// The raw data keys, for writing a key file. Handle with care.
    public func exportDataKeys() -> [String: [UInt8]] { dataKeys.mapValues { $0.withUnsafeBytes { Array($0) } } }
    /// The raw index key, for writing a key file. Handle with care.
    public func exportIndexKey() -> [UInt8] { indexKey.withUnsafeBytes { Array($0) } }
}
