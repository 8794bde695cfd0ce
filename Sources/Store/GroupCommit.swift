import NIOConcurrencyHelpers
import SQLKit

/// Group commit for SQLite: concurrent callers of `Database.sharedTransaction` are run one after another inside one
/// transaction, each in its own savepoint, so a burst of small writes (payments) pays for one commit (one `fsync`)
/// instead of one each, while each caller still succeeds or fails alone.
///
/// A caller whose work throws is rolled back to its savepoint and gets its error; the others commit. When the commit
/// itself fails, every caller of the batch gets that error and nothing of the batch is kept. A retryable failure
/// (busy) re-runs the whole batch, so the work must have no effects outside the database.
final class GroupCommitter: Sendable {
    struct Job: Sendable {
        let body: @Sendable (any SQLDatabase) async throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Job] = []
        var running = false
    }

    private let state = NIOLockedValueBox(State())
    /// The most callers one transaction takes.
    static let batchLimit = 64

    func submit(_ database: Database, _ body: @escaping @Sendable (any SQLDatabase) async throws -> any Sendable) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLockedValue { state -> Bool in
                state.queue.append(Job(body: body, continuation: continuation))
                if state.running { return false }
                state.running = true
                return true
            }
            if start { Task { await self.drain(database) } }
        }
    }

    private func drain(_ database: Database) async {
        while true {
            let jobs = state.withLockedValue { state -> [Job] in
                let jobs = Array(state.queue.prefix(Self.batchLimit))
                state.queue.removeFirst(jobs.count)
                if jobs.isEmpty { state.running = false }
                return jobs
            }
            guard !jobs.isEmpty else { return }
            let bodies = jobs.map(\.body)
            let results: [Result<any Sendable, any Error>]
            do {
                results = try await database.transaction { db in
                    var results: [Result<any Sendable, any Error>] = []
                    for (index, body) in bodies.enumerated() {
                        try await db.raw("SAVEPOINT \(unsafeRaw: "job\(index)")").run()
                        do {
                            let value = try await body(db)
                            try await db.raw("RELEASE \(unsafeRaw: "job\(index)")").run()
                            results.append(.success(value))
                        } catch where Database.isRetryable(error) {
                            throw error
                        } catch {
                            try await db.raw("ROLLBACK TO \(unsafeRaw: "job\(index)")").run()
                            try await db.raw("RELEASE \(unsafeRaw: "job\(index)")").run()
                            results.append(.failure(error))
                        }
                    }
                    return results
                }
            } catch {
                results = jobs.map { _ in .failure(error) }
            }
            for (job, result) in zip(jobs, results) { job.continuation.resume(with: result) }
        }
    }
}

extension Database {
    /// Runs `body` in a transaction that, on SQLite, it may share with other concurrent callers (group commit, each
    /// caller isolated in a savepoint); on PostgreSQL it is an ordinary serializable transaction. Either way `body`
    /// commits entirely or not at all, and its error is its own.
    public func sharedTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let groupCommitter else { return try await transaction(body) }
        if Self.insideTransaction { throw StoreError.nestedTransaction }
        let value = try await groupCommitter.submit(self) { db in try await body(db) }
        guard let typed = value as? T else { preconditionFailure("group commit returned another type") }
        return typed
    }
}
