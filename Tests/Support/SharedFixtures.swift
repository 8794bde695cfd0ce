import Foundation

/// The third-party sample files beside the project (`../shared/fixtures`, or `CARTERA_FIXTURES`): tests read them
/// there and never copy them into the repository.
public enum SharedFixtures {
    public static let folder: URL = {
        if let configured = ProcessInfo.processInfo.environment["CARTERA_FIXTURES"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/fixtures").standardizedFileURL
    }()

    /// Whether tests that read them run: when the folder is there, and always under CI (`CARTERA_REQUIRE_FIXTURES=1`),
    /// where a missing folder must fail rather than skip.
    public static var enabled: Bool {
        FileManager.default.fileExists(atPath: folder.path) || ProcessInfo.processInfo.environment["CARTERA_REQUIRE_FIXTURES"] == "1"
    }

    public static func url(_ path: String) -> URL { folder.appendingPathComponent(path) }

    /// The fields of one CSV line (RFC 4180 quotes; no line breaks inside fields).
    public static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var characters = Array(line.hasSuffix("\r") ? String(line.dropLast()) : line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" { quoted = true } else if character == "," { fields.append(field); field = "" } else { field.append(character) }
        }
        fields.append(field)
        return fields
    }

    public static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }
}
