import Crypto
import CryptoExtras
import Foundation

/// Signs STP requests: RSA PKCS#1 v1.5 with SHA-256 over the UTF-8 bytes of a cadena original, in base64 — the
/// `firma` field. The key is the company's private key as PEM (STP keeps the certificate).
public struct STPSigner: Sendable {
    let key: _RSA.Signing.PrivateKey

    public init(privateKeyPEM: String) throws {
        key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    }

    public init(key: _RSA.Signing.PrivateKey) { self.key = key }

    /// A new 2048-bit company key (the demo's and the tests'; a lender's real key comes from STP's onboarding).
    public static func generated() throws -> STPSigner { STPSigner(key: try _RSA.Signing.PrivateKey(keySize: .bits2048)) }

    /// The private key as PEM.
    public var privateKeyPEM: String { key.pemRepresentation }

    /// The public half, as PEM (what the participant is given to check signatures).
    public var publicKeyPEM: String { key.publicKey.pemRepresentation }

    /// The `firma` of `cadena`.
    public func sign(_ cadena: String) throws -> String {
        try key.signature(for: Array(cadena.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    /// `order` with its `firma` set.
    public func signed(_ order: STPOrder) throws -> STPOrder {
        var order = order
        order.firma = try sign(order.cadenaOriginal)
        return order
    }
}

/// Checks `firma`s with the public key of the company that signed them (the STP sandbox's side).
public struct STPSignatureCheck: Sendable {
    let key: _RSA.Signing.PublicKey

    public init(publicKeyPEM: String) throws {
        key = try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM)
    }

    public func isValid(firma: String, for cadena: String) -> Bool {
        guard let bytes = Data(base64Encoded: firma) else { return false }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: bytes), for: Array(cadena.utf8), padding: .insecurePKCS1v1_5)
    }
}
