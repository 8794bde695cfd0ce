import CarteraCore
import Crypto
import Foundation

/// Encrypts personal data field by field with AES-256-GCM and computes blind indexes for exact lookups.
///
/// A stored value reads `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The field name (for example
/// `clients.rfc`) is bound as associated data, so a value copied into another column does not decrypt.
public struct FieldCipher: Sendable {
    public let keys: KeyRing

    public init(keys: KeyRing) { self.keys = keys }

    /// A value that could not be decrypted.
    public struct Unreadable: CarteraError, Equatable {
        public let detail: String
        public init(detail: String) { self.detail = detail }
        public var code: String { "encrypted_value_unreadable" }
        public var message: String {
            "No se pudo descifrar un dato protegido (\(detail)). Revise que las llaves configuradas incluyan la que lo cifró."
        }
    }

    /// Encrypts `plaintext` for `field` with the current key.
    public func encrypt(_ plaintext: String, field: String) -> String {
        let key = keys.dataKeys[keys.currentKeyID]!
        // Sealing with a fresh random nonce cannot fail for a 256-bit key.
        let box = try! AES.GCM.seal(Array(plaintext.utf8), using: key, authenticating: Array(field.utf8))
        return "v1.\(keys.currentKeyID).\(ByteEncoding.base64URL(box.combined!))"
    }

    /// Decrypts a value written by `encrypt` for the same field.
    public func decrypt(_ stored: String, field: String) throws(Unreadable) -> String {
        let parts = stored.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1" else { throw Unreadable(detail: "formato desconocido") }
        let keyID = String(parts[1])
        guard let key = keys.dataKeys[keyID] else { throw Unreadable(detail: "llave «\(keyID)» ausente") }
        guard let combined = ByteEncoding.decodeBase64URL(String(parts[2])), combined.count >= 28 else {
            throw Unreadable(detail: "contenido dañado")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Array(field.utf8))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw Unreadable(detail: "el dato fue alterado o no corresponde a este campo")
        }
    }

    /// The key id a stored value was encrypted with, or nil when it is not an encrypted value.
    public static func keyID(of stored: String) -> String? {
        let parts = stored.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "v1" ? String(parts[1]) : nil
    }

    /// Whether a stored value must be re-encrypted to move it to the current key.
    public func needsRotation(_ stored: String) -> Bool { Self.keyID(of: stored) != keys.currentKeyID }

    /// The blind index of a value for exact lookup: HMAC-SHA256 with the index key over `field` and the value as
    /// given (normalise it first — upper-case RFC/CURP, digits-only phone, lower-case e-mail), hex-encoded.
    public func blindIndex(_ normalizedValue: String, field: String) -> String {
        var mac = HMAC<SHA256>(key: keys.indexKey)
        mac.update(data: Array(field.utf8))
        mac.update(data: [0])
        mac.update(data: Array(normalizedValue.utf8))
        return ByteEncoding.hex(mac.finalize())
    }
}
