import Foundation
import Logging

/// Output helpers for the command line: messages for people on standard output, errors on standard error.
enum Terminal {
    private static let loggingBootstrapped = LoggingBootstrap()

    /// Sends logs to standard error at `level` (once per process).
    static func bootstrapLogging(level: Logger.Level) {
        loggingBootstrapped.run(level: level)
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    }

    /// Encodes a value as pretty, key-sorted JSON on standard output.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Whether standard output is a terminal (for colours and progress).
    static var isInteractive: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Whether standard error is a terminal (progress lines go there).
    static var progressVisible: Bool { isatty(STDERR_FILENO) != 0 }

    /// Rewrites the current line of standard error (an empty text clears it).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }
}

private final class LoggingBootstrap: @unchecked Sendable {
    // Guarded by `lock`; LoggingSystem.bootstrap must run at most once per process.
    private let lock = NSLock()
    private var done = false

    func run(level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
