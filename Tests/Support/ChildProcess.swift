import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, for tests that run `cartera`, chromedriver, openssl or Python.
///
/// Foundation's `Process.run()` on Linux scans `/proc/self/fd` to close inherited descriptors and, in the toolchain
/// this project builds with, over-reads its buffer once the test process has more than about 1,400 open descriptors
/// (the parallel PostgreSQL pools reach that), crashing the whole test run ("Bad pointer dereference" in memmove).
/// `posix_spawn` with `closefrom(3)` in the child does the same job in the C library without that scan.
public final class ChildProcess: @unchecked Sendable {
    /// How the process ended.
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var ending: Ending?

    public struct SpawnFailed: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Starts `executable` with `arguments` and exactly `environment`; the child's standard input, output and error are
    /// the given descriptors (`nil` is `/dev/null`). The parent keeps its own copies of those descriptors.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil,
        standardInput: Int32? = nil,
        standardOutput: Int32? = nil,
        standardError: Int32? = nil
    ) throws {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput ?? null, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput ?? null, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError ?? null, 2)
        if let directory {
            guard let addChdir = Self.addChdir else { throw SpawnFailed(executable: executable, code: ENOSYS) }
            _ = addChdir(&actions, directory)
        }
        guard let addClosefrom = Self.addClosefrom else { throw SpawnFailed(executable: executable, code: ENOSYS) }
        _ = addClosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and an empty mask whatever the test runner changed.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailed(executable: executable, code: code) }
        self.pid = pid
    }

    // glibc ≥ 2.34 has both; Swift's Glibc module does not import them, so they are looked up by name.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    private static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }

    /// Whether the process has not ended yet (reaps it if it has).
    public var isRunning: Bool { poll(blocking: false) == nil }

    /// Waits for the process to end, blocking the calling thread.
    @discardableResult
    public func waitUntilExit() -> Ending { poll(blocking: true)! }

    /// Waits without blocking a thread of Swift's cooperative pool.
    @discardableResult
    public func exited() async -> Ending {
        while true {
            if let ending = poll(blocking: false) { return ending }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The exit status, or 128 + the signal for a process that was killed (as a shell reports it).
    public var status: Int32 {
        switch waitUntilExit() {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Sends SIGTERM if the process is still running.
    public func terminate() {
        if isRunning { kill(pid, SIGTERM) }
    }

    private func poll(blocking: Bool) -> Ending? {
        lock.lock()
        defer { lock.unlock() }
        if let ending { return ending }
        var raw: Int32 = 0
        while true {
            let result = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
            if result == pid { break }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            return nil
        }
        let ended: Ending = raw & 0x7f == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
        ending = ended
        return ended
    }

    deinit {
        if ending == nil {
            kill(pid, SIGTERM)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
        }
    }
}
