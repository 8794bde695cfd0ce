import PostgresKit
import SQLKit
import SQLiteKit

/// How strictly a PostgreSQL transaction is isolated from concurrent ones. SQLite transactions are always serializable.
public enum TransactionIsolation: Sendable {
    /// Behaves as if it ran alone (the default for every business transaction).
    case serializable
    /// Each statement sees what was committed before it started. Only for work that orders itself with explicit
    /// locks, such as migrations under an advisory lock (a serializable snapshot would be taken before the lock).
    case readCommitted
}

extension Database {
    /// Set while the current task runs inside `transaction`, to refuse a nested one (which would deadlock on SQLite's
    /// writer gate and silently escape the outer transaction on PostgreSQL).
    @TaskLocal static var insideTransaction = false

    /// Runs `body` inside one database transaction on one connection and commits it; any error rolls it back.
    ///
    /// Both engines give the same guarantee: the transaction behaves as if it ran alone.
    /// - SQLite: writers of this process queue in a `WriterGate` and run one at a time on the database's one writer
    ///   connection (`SQLiteWriter`); `BEGIN IMMEDIATE` takes the write lock up front (no lock upgrade deadlocks);
    ///   writers of other processes wait up to the busy timeout.
    /// - PostgreSQL: `SERIALIZABLE` isolation.
    ///
    /// When the engine reports a serialization failure or deadlock (PostgreSQL `40001`/`40P01`) or the lock could not
    /// be had in time (SQLite `BUSY`), the whole transaction is retried up to `maxAttempts` times, so `body` must not
    /// have effects outside the database. After the last attempt it throws `StoreError.busy`.
    public func transaction<T: Sendable>(
        isolation: TransactionIsolation = .serializable,
        maxAttempts: Int = 5,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        if Self.insideTransaction { throw StoreError.nestedTransaction }
        var attempt = 1
        while true {
            do {
                if let writer { return try await writer.transaction(body) }
                return try await withConnection { [dialect] db in
                    try await Self.run(body, on: db, begin: Self.beginStatement(for: dialect, isolation: isolation))
                }
            } catch where Self.isRetryable(error) {
                if attempt >= maxAttempts { throw StoreError.busy(detail: Self.shortDescription(of: error)) }
                attempt += 1
                // Back off a little, with jitter, before trying again.
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...25) * attempt))
            }
        }
    }

    /// Runs `body` between `begin` and `COMMIT` on one connection; any error rolls it back.
    private static func run<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T, on db: any SQLDatabase, begin: SQLQueryString
    ) async throws -> T {
        try await db.raw(begin).run()
        do {
            let result = try await Database.$insideTransaction.withValue(true) { try await body(db) }
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    static func beginStatement(for dialect: SQLDialectKind, isolation: TransactionIsolation) -> SQLQueryString {
        switch (dialect, isolation) {
        case (.sqlite, _): "BEGIN IMMEDIATE"
        case (.postgres, .serializable): "BEGIN ISOLATION LEVEL SERIALIZABLE"
        case (.postgres, .readCommitted): "BEGIN ISOLATION LEVEL READ COMMITTED"
        }
    }

    /// Whether an error means "try the same transaction again".
    static func isRetryable(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] {
            // A duplicate audit sequence means another transaction appended first (a serializable snapshot taken
            // before it committed): the chain itself is fine, the transaction retries on a fresh snapshot.
            if state == "23505", psql.serverInfo?[.constraintName]?.hasPrefix("audit_log") == true { return true }
            return state == "40001" || state == "40P01"
        }
        if let sqlite = error as? SQLiteError {
            switch sqlite.reason {
            case .busy, .busyTimeout, .locked: return true
            default: return false
            }
        }
        return false
    }
}
