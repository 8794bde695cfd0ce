import CarteraCore
import Crypto
import Foundation

/// Signs Círculo de Crédito requests: ECDSA on P-256 (Círculo's "prime256v1", also called secp256r1) with SHA-256 over
/// the exact bytes of the JSON body, sent as the `x-signature` header in lowercase hexadecimal of the DER-encoded
/// signature. The key is the lender's private key; its public half is the one registered with Círculo.
public struct CirculoSigner: Sendable {
    let key: P256.Signing.PrivateKey

    /// - Parameter privateKeyPEM: a `BEGIN EC PRIVATE KEY` (SEC 1, what `openssl ecparam -genkey` writes) or
    ///   `BEGIN PRIVATE KEY` (PKCS #8) document.
    public init(privateKeyPEM: String) throws {
        key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    }

    public init(key: P256.Signing.PrivateKey) { self.key = key }

    /// A new key (tests'; a lender's real key is made once and its public half registered with Círculo).
    public static func generated() -> CirculoSigner { CirculoSigner(key: P256.Signing.PrivateKey()) }

    /// The private key as PEM (PKCS #8).
    public var privateKeyPEM: String { key.pemRepresentation }

    /// The public half, as PEM: what is registered with Círculo to check `x-signature`.
    public var publicKeyPEM: String { key.publicKey.pemRepresentation }

    /// The `x-signature` of `body`: lowercase hex of the DER-encoded signature.
    public func signature(for body: [UInt8]) throws -> String {
        ByteEncoding.hex(try key.signature(for: body).derRepresentation)
    }
}

/// Checks `x-signature` headers with the public key the lender registered (the Círculo sandbox's side).
public struct CirculoSignatureCheck: Sendable {
    let key: P256.Signing.PublicKey

    public init(publicKeyPEM: String) throws {
        key = try P256.Signing.PublicKey(pemRepresentation: publicKeyPEM)
    }

    public init(key: P256.Signing.PublicKey) { self.key = key }

    /// Whether `signatureHex` (hex of a DER-encoded ECDSA signature, either case) signs exactly `body`.
    public func isValid(signatureHex: String, for body: [UInt8]) -> Bool {
        guard let der = Self.bytes(hex: signatureHex), let signature = try? P256.Signing.ECDSASignature(derRepresentation: der) else { return false }
        return key.isValidSignature(signature, for: body)
    }

    /// The bytes of hexadecimal `text`; nil when it is empty, of odd length or has other characters.
    static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
