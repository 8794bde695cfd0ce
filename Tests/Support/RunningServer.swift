import Foundation

/// `cartera serve` running as a separate process on a free port, for tests that talk to it over real HTTP.
public final class RunningServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`.
    public let baseURL: String
    /// Everything the server printed on standard output up to the "ready" line.
    public let banner: String
    private let process: ChildProcess

    /// Starts the server in `folder` with `arguments` after `serve --port 0`, and waits (up to a minute) for its banner.
    public init(folder: URL, arguments: [String] = [], environment: [String: String] = [:]) async throws {
        guard let binary = CLI.binary else { throw NotBuilt() }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CARTERA_DATABASE_URL")
        // Tests close days themselves; a test may turn the schedule on.
        env["CARTERA_CLOSE_SCHEDULE"] = "false"
        for (key, value) in environment { env[key] = value }
        let out = Pipe()
        let process = try ChildProcess(
            executable: binary.path, arguments: ["serve", "--port", "0"] + arguments, environment: env,
            directory: folder.path, standardOutput: out.fileHandleForWriting.fileDescriptor
        )
        try out.fileHandleForWriting.close()
        // A server that never prints its banner is stopped after two minutes, which ends the blocking read; one that
        // started is left running however long its test takes.
        let started = StartedFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if !started.isSet { process.terminate() } }
        let reader = out.fileHandleForReading
        let banner = try await CLI.offloaded {
            var banner = ""
            while !banner.contains("Detenga el servidor") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                banner += String(decoding: chunk, as: UTF8.self)
            }
            return banner
        }
        guard let match = banner.firstMatch(of: /escucha en (http:\/\/[0-9.]+:\d+)/) else {
            process.terminate()
            throw StartFailed(banner: banner)
        }
        started.set()
        // The server keeps logging to standard output: read it to the end, so a full pipe never blocks the server.
        DispatchQueue.global().async { _ = reader.readDataToEndOfFile() }
        self.process = process
        self.banner = banner
        self.baseURL = String(match.1)
    }

    /// Sends SIGTERM and waits for the process to exit; returns how it ended.
    @discardableResult
    public func stop() async throws -> ChildProcess.Ending {
        process.terminate()
        return await process.exited()
    }

    deinit {
        process.terminate()
    }

    public struct StartFailed: Error, CustomStringConvertible {
        public let banner: String
        public var description: String { "cartera serve did not start; it printed: \(banner)" }
    }
}

/// Set once the server printed its banner (read from a timer's thread).
final class StartedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false  // guarded by `lock`

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
