import CarteraCore
import Crypto
import Foundation

/// Pieces the webhook verifiers share.
enum WebhookSupport {
    /// Lowercase hex HMAC-SHA256 of `message` under `secret`.
    static func hmacHex(_ message: some DataProtocol, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return ByteEncoding.hex(mac)
    }

    /// The `key=value` pairs of a header such as `t=1700000000,v1=abc,v1=def` (a key may repeat).
    static func pairs(_ header: String) -> [(key: String, value: String)] {
        header.split(separator: ",").compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            return (trimmed(part[..<equals]), trimmed(part[part.index(after: equals)...]))
        }
    }

    /// `text` without the spaces and tabs around it.
    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// The body as a JSON object, or a rejection.
    static func object(_ body: [UInt8], provider: GatewayProvider) throws(WebhookRejection) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw WebhookRejection(.malformed, "El aviso de \(provider.name) no es un objeto JSON.")
        }
        return object
    }

    /// Seconds since 1970 of a signed timestamp written in seconds or (13 digits and more) milliseconds.
    static func seconds(_ text: String) -> Int64? {
        guard let value = Int64(text), value > 0 else { return nil }
        return value >= 1_000_000_000_000 ? value / 1000 : value
    }
}
