import NIOConcurrencyHelpers

/// Lets one write transaction at a time into an SQLite file from this process; the others wait here, in Swift,
/// without holding a thread.
///
/// SQLite allows one writer per file. Without this gate a second writer would wait inside SQLite's busy handler on one
/// of the few threads of the blocking-I/O pool, and enough such waiters would starve the writer they wait for until
/// the busy timeout. Writers from other processes are still handled by `BEGIN IMMEDIATE` and the busy timeout.
actor WriterGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()  // hand the gate straight to the next writer
        }
    }

    /// Runs `body` while holding the gate.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private static let gates = NIOLockedValueBox<[String: WriterGate]>([:])

    /// The gate of an SQLite file, shared by every `Database` of this process that opens the same path.
    static func forFile(_ path: String) -> WriterGate {
        gates.withLockedValue { gates in
            if let gate = gates[path] { return gate }
            let gate = WriterGate()
            gates[path] = gate
            return gate
        }
    }
}
