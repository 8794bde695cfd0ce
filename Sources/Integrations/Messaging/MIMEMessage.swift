import CarteraCore
import Foundation

/// An e-mail as SMTP carries it (RFC 5322 with MIME): UTF-8 plain text in Base64, the subject and the sender's name as
/// RFC 2047 encoded words, CRLF line ends.
public enum MIMEMessage {
    /// Whether `address` is a bare address that cannot smuggle headers or SMTP commands (no CR, LF, `<`, `>`, spaces).
    public static func isSafeAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && address.count <= 254
            && address.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
    }

    public static func build(
        from: String, fromName: String?, to: String, subject: String, body: String, messageID: String, date: Timestamp, extraHeaders: [(String, String)] = []
    ) -> [UInt8] {
        var lines: [String] = []
        lines.append("From: " + (fromName.map { encodedWords($0) + " " } ?? "") + "<\(from)>")
        lines.append("To: <\(to)>")
        lines.append("Subject: " + encodedWords(subject))
        lines.append("Date: " + rfc5322Date(date))
        lines.append("Message-ID: <\(messageID)>")
        lines.append("MIME-Version: 1.0")
        for (name, value) in extraHeaders { lines.append("\(name): \(value.filter { $0 != "\r" && $0 != "\n" })") }
        lines.append("Content-Type: text/plain; charset=UTF-8")
        lines.append("Content-Transfer-Encoding: base64")
        lines.append("")
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalized.utf8).base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `text` as it is, when plain ASCII without controls; otherwise as `=?UTF-8?B?…?=` words of at most 75 characters,
    /// cut between characters, folded onto continuation lines.
    public static func encodedWords(_ text: String) -> String {
        let clean = text.filter { $0 != "\r" && $0 != "\n" }
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 }) && !clean.contains("=?") { return clean }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 39 bytes are 52 Base64 characters: with `=?UTF-8?B?` and `?=`, 64 per word, so `Subject: ` and a word fit in 78.
        for character in clean {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ time: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: time.date)
    }

    /// The subject and the text of a message built by `build` (for the SMTP sink's inbox and tests).
    public static func read(_ data: [UInt8]) -> (subject: String, body: String, headers: [(String, String)]) {
        let text = String(decoding: data, as: UTF8.self)
        let split = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let rawBody = split.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(String, String)] = []
        for line in head.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += String(line.dropFirst())
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        let subject = decodeWords(headers.first { $0.0.lowercased() == "subject" }?.1 ?? "")
        let encoding = headers.first { $0.0.lowercased() == "content-transfer-encoding" }?.1.lowercased()
        var body = rawBody
        if encoding == "base64", let decoded = Data(base64Encoded: rawBody.filter { !$0.isWhitespace }) {
            body = String(decoding: decoded, as: UTF8.self)
        }
        return (subject, body.replacingOccurrences(of: "\r\n", with: "\n"), headers)
    }

    static func decodeWords(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "=?UTF-8?B?", options: .caseInsensitive), let end = rest[start.upperBound...].range(of: "?=") {
            let between = rest[..<start.lowerBound]
            if !between.allSatisfy(\.isWhitespace) || output.isEmpty { output += between }
            if let data = Data(base64Encoded: String(rest[start.upperBound..<end.lowerBound])) { output += String(decoding: data, as: UTF8.self) }
            rest = rest[end.upperBound...]
        }
        return output + rest
    }
}
