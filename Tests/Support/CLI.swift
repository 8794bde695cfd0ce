import Foundation


/// Runs the built `cartera` executable as a person would.
public enum CLI {
    /// The `cartera` binary next to the test bundle (SwiftPM builds every product before running tests).
    public static let binary: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cartera"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/cartera"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs the binary to completion on a Dispatch thread, so waiting for it never blocks Swift's cooperative pool.
    public static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        directory: URL? = nil,
        input: String? = nil
    ) async throws -> Result {
        try await offloaded { try runBlocking(arguments, environment: environment, directory: directory, input: input) }
    }

    public static func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result2 { try work() }.result) }
        }
    }

    public static func runBlocking(_ arguments: [String], environment: [String: String], directory: URL?, input: String?) throws -> Result {
        guard let binary else { throw NotBuilt() }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CARTERA_DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        let process = try ChildProcess(
            executable: binary.path, arguments: arguments, environment: env, directory: directory?.path,
            standardInput: stdin.fileHandleForReading.fileDescriptor,
            standardOutput: out.fileHandleForWriting.fileDescriptor,
            standardError: err.fileHandleForWriting.fileDescriptor
        )
        // Only the child writes to its output pipes and reads its input, so the ends run out when it exits.
        try out.fileHandleForWriting.close()
        try err.fileHandleForWriting.close()
        try stdin.fileHandleForReading.close()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let errors = ErrorReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.wait()
        return Result(status: process.status, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Reads a pipe to its end on another thread, so a child that fills one pipe while the other is read never stalls.
    final class ErrorReader: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()
        init(_ handle: FileHandle) {
            DispatchQueue.global().async {
                self.data = handle.readDataToEndOfFile()
                self.done.signal()
            }
        }
        func wait() -> Data {
            done.wait()
            return data
        }
    }

    /// `Swift.Result` under another name (this file's `Result` is the process outcome).
    public struct Result2<T> {
        public let result: Swift.Result<T, any Error>
        public init(_ body: () throws -> T) {
            do { result = .success(try body()) } catch { result = .failure(error) }
        }
    }

    public static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cartera-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// The `cartera` executable is not where the tests look for it.
public struct NotBuilt: Error, CustomStringConvertible {
    public var description: String { "the cartera executable was not built: run swift build first" }
}
