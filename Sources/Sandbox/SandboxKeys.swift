import Crypto
import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The keys the sandboxes sign with: made once per process, when first needed, never kept anywhere (making an RSA key
/// takes a while; one serves every sandbox of the process).
enum SandboxKeys {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// The demo lender's P-256 key for the Círculo de Crédito sandbox: fixed (its scalar is the SHA-256 of a constant),
    /// so `cartera serve --demo`, `cartera sandbox` and the tests sign and check with the same key without a key file.
    /// Only for the sandbox: a lender's real key is its own, registered with Círculo.
    static let circuloLender = try! P256.Signing.PrivateKey(rawRepresentation: SHA256.hash(data: Array("cartera-circulo-sandbox-lender-key".utf8)))

    /// A self-signed certificate of `rsa`, valid from an hour ago for a year (PayPal's sandbox serves it as its
    /// webhook signing certificate).
    static let certificatePEM: String = {
        let now = Date()
        let name = try! DistinguishedName {
            CountryName("MX")
            OrganizationName("Cartera Sandbox")
            CommonName("messageverificationcerts.sandbox.cartera.invalid")
        }
        let certificate = try! Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(rsa.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400), issuer: name, subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions {}, issuerPrivateKey: Certificate.PrivateKey(rsa)
        )
        return try! certificate.serializeAsPEM().pemString
    }()
}
