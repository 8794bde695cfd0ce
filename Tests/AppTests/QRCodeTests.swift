@testable import App
import CarteraCore
import Crypto
import Testing

@Suite("QR codes")
struct QRCodeTests {
    /// SHA-256 of the module matrix (rows of 0/1 joined by newlines), from python-qrcode 8.2 with the same version,
    /// level M, byte mode and mask — an independent implementation.
    static let golden: [(text: String, mask: Int, version: Int, digest: String)] = [
        ("otpauth://totp/Cartera:admin?secret=ABC&issuer=Cartera", 3, 4, "735ed2b1d6dd98345e432b86692f6a516908e7cbf6f653e13c8a0ffa00e07230"),
        ("HELLO", 0, 1, "b664c5ebcc2451fb6630e63f516abd72b3cdfbf16b9ceb0d92d226f6a6d0cde0"),
        (String(repeating: "x", count: 120), 5, 7, "beffcff7596298ba1b1bc2defd4c5d81f03933b2aa36810139da1d349ef722b5"),
        (
            "otpauth://totp/Cartera:oficial.cumplimiento?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3DOOBZGA&issuer=Cartera",
            6, 8, "ed60236130d534c67c9bb2ab8fd3288cbeac45da8622efd5d271c8c884227ecc"
        ),
    ]

    @Test("Matrices equal python-qrcode's, module for module", arguments: 0..<4)
    func golden(_ index: Int) throws {
        let vector = Self.golden[index]
        let code = try #require(QRCode(bytes: Array(vector.text.utf8), forcedMask: vector.mask))
        #expect(code.version == vector.version)
        #expect(code.size == 17 + 4 * vector.version)
        let rows = code.modules.map { row in String(row.map { $0 ? "1" : "0" }) }.joined(separator: "\n")
        #expect(ByteEncoding.hex(SHA256.hash(data: Array(rows.utf8))) == vector.digest)
    }

    @Test("Capacity: 213 bytes fit in version 10, 214 do not")
    func capacity() {
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 213))?.version == 10)
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 214)) == nil)
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 14))?.version == 1)
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 15))?.version == 2)
    }

    @Test("SVG has the quiet zone and no script")
    func svg() throws {
        let svg = try #require(QRCodeSVG.render("otpauth://totp/Cartera:admin?secret=ABC&issuer=Cartera"))
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains(#"viewBox="0 0 41 41""#))
        #expect(!svg.lowercased().contains("script"))
    }
}
