import Foundation
import HummingbirdOTP

/// TOTP codes as an authenticator app computes them from an `otpauth://` URI.
public enum Authenticator {
    /// The secret inside an `otpauth://` URI on a page (base 32 decoded to the key text).
    public static func secret(fromPage page: String) -> String? {
        guard let range = page.range(of: "secret=") else { return nil }
        let base32 = page[range.upperBound...].prefix { $0.isLetter || $0.isNumber }
        return decodeBase32(String(base32))
    }

    public static func code(secret: String, at date: Date) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: date))
    }

    public static func decodeBase32(_ text: String) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = value << 5 | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
