import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The keys the sandboxes sign with: made once per process, when first needed, never kept anywhere (making an RSA key
/// takes a while; one serves every sandbox of the process).
enum SandboxKeys {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

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
