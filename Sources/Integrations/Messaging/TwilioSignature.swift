import CarteraCore
import CarteraSecurity
import Crypto
import Foundation

/// Twilio's request signature (`X-Twilio-Signature`): Base64 of HMAC-SHA1 under the account's auth token of the full
/// URL Twilio called followed by each POST parameter's name and value, sorted by name (twilio.com/docs/usage/security).
public enum TwilioSignature {
    public static func sign(url: String, parameters: [(String, String)], authToken: String) -> String {
        var message = url
        for (name, value) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) { message += name + value }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` is Twilio's for this request under any of `authTokens` (two while a token is rotated).
    public static func isValid(_ signature: String, url: String, parameters: [(String, String)], authTokens: [String]) -> Bool {
        authTokens.filter { !$0.isEmpty }.contains { ConstantTime.equals(sign(url: url, parameters: parameters, authToken: $0), signature) }
    }
}

/// Meta's webhook signature (`X-Hub-Signature-256: sha256=<hex>`): HMAC-SHA256 of the raw body under the app secret,
/// checked on the bytes received (a re-serialised body would differ on accents).
public enum MetaSignature {
    public static func header(for body: [UInt8], appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(appSecret.utf8)))
        return "sha256=" + ByteEncoding.hex(mac)
    }

    public static func isValid(_ header: String?, body: [UInt8], appSecrets: [String]) -> Bool {
        guard let header, header.hasPrefix("sha256=") else { return false }
        return appSecrets.filter { !$0.isEmpty }.contains { ConstantTime.equals(Self.header(for: body, appSecret: $0), header) }
    }
}
