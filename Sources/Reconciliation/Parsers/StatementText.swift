import Foundation

/// Text files as banks write them: UTF-8 or Latin-1 (ISO-8859-1, Windows exports), with or without a byte-order mark,
/// with CRLF, LF or CR line ends.
enum StatementText {
    /// The file's text: UTF-8 when it is valid UTF-8, Latin-1 otherwise (every byte is a Latin-1 character).
    static func decode(_ data: Data) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// The lines of `text`, line ends of any kind removed.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}
