import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The TLS identity of the sandbox's SMTP sink: a certificate authority of its own and a certificate it issues for
/// `localhost` and 127.0.0.1 (P-256), made when the sink starts and never kept; Cartera is told to trust the
/// authority's certificate (`certificatePEM`).
struct SandboxTLS: Sendable {
    let certificatePEM: String
    let context: NIOSSLContext

    static func make() throws -> SandboxTLS {
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try name("Cartera Sandbox CA")
        let authority = try issue(subject: authorityName, key: authorityKey.publicKey, issuer: authorityName, issuerKey: authorityKey) {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true))
        }
        let key = P256.Signing.PrivateKey()
        let certificate = try issue(subject: try name("localhost"), key: key.publicKey, issuer: authorityName, issuerKey: authorityKey) {
            Critical(BasicConstraints.notCertificateAuthority)
            SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
        )
        return SandboxTLS(certificatePEM: try authority.serializeAsPEM().pemString, context: try NIOSSLContext(configuration: configuration))
    }

    static func name(_ common: String) throws -> DistinguishedName {
        try DistinguishedName {
            CountryName("MX")
            OrganizationName("Cartera Sandbox")
            CommonName(common)
        }
    }

    /// A certificate valid from an hour ago for a year.
    static func issue(
        subject: DistinguishedName, key: P256.Signing.PublicKey, issuer: DistinguishedName, issuerKey: P256.Signing.PrivateKey,
        @ExtensionsBuilder extensions: () throws -> Result<Certificate.Extensions, any Error>
    ) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400), issuer: issuer, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: try Certificate.Extensions(builder: extensions), issuerPrivateKey: Certificate.PrivateKey(issuerKey)
        )
    }
}
