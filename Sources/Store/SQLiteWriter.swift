import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteKit

/// The one connection through which a `Database` writes its SQLite file, with a thread of its own.
///
/// SQLite has one writer per file, so every write transaction of the process already runs one at a time (the
/// `WriterGate`). Giving them one dedicated connection keeps its page cache warm (a connection that did not make the
/// last write reloads every page it reads), and running them, statements and Swift code alike, on one thread of their
/// own (`ThreadPoolTaskExecutor`) keeps the writer — which every payment waits for — out of the queues the HTTP
/// handlers fill. The writer does not copy the write-ahead log back into the database file on commit; a checkpointer
/// on another connection does most of it beside it (see `checkpoint`).
final class SQLiteWriter: Sendable {
    /// Every how many transactions the writer checkpoints what the checkpointer has not copied yet.
    static let writerCheckpointEvery = 32

    let gate: WriterGate
    private let source: SQLiteSource
    private let threadPool: NIOThreadPool
    private let executor: ThreadPoolTaskExecutor
    private let logger: Logger
    /// Opened on first use and reopened if it was closed; only touched while holding the gate.
    private let connection = NIOLockedValueBox<SQLiteConnection?>(nil)
    /// Whether a transaction committed since the last checkpoint.
    private let written: NIOLockedValueBox<Bool>
    /// Transactions run, and whether the writer's last checkpoint fell short; only touched while holding the gate.
    private let checkpoints = NIOLockedValueBox((transactions: 0, retry: false))
    /// Set by `shutdown()`: no connection is opened any more.
    private let closed = NIOLockedValueBox(false)
    /// A log this long (in pages) is started over even if the writer must wait for readers: 256 MiB at 4 KiB pages.
    static let restartPages: Int64 = 65_536
    private let checkpointer: Task<Void, Never>

    init(path: String, gate: WriterGate, logger: Logger) {
        self.gate = gate
        self.logger = logger
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        executor = ThreadPoolTaskExecutor(pool: threadPool)
        var source = SQLiteSource(path: path, threadPool: threadPool)
        source.checkpointsOnCommit = false
        self.source = source
        let written = NIOLockedValueBox(false)
        self.written = written
        checkpointer = Task.detached {
            await Self.checkpoint(SQLiteSource(path: path), whenWritten: written, logger: logger)
        }
    }

    /// Runs `body` with the writer connection, alone among this process's writers of the file, on the writer's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(executor) {
            try await self.gate.run {
                let connection = try await self.open()
                defer { self.written.withLockedValue { $0 = true } }
                let result: T
                do {
                    result = try await body(connection)
                } catch {
                    await self.checkpointIfDue(connection)
                    throw error
                }
                await self.checkpointIfDue(connection)
                return result
            }
        }
    }

    /// One write transaction on the writer connection: `BEGIN IMMEDIATE`, `body`, `COMMIT`; any error rolls it back.
    /// `BEGIN`, `COMMIT` and `ROLLBACK` run to their end even when the calling task is cancelled, so the one writer
    /// connection is never left inside a transaction (holding the file's write lock) by a cancelled request.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await run { connection in
            _ = try await connection.query("BEGIN IMMEDIATE")
            let result: T
            do {
                result = try await Database.$insideTransaction.withValue(true) { try await body(connection.sql(queryLogLevel: .trace)) }
                try await Self.statement("COMMIT", on: connection)
            } catch {
                await self.rollBack(connection)
                throw error
            }
            return result
        }
    }

    /// A statement run to its end even when the calling task is cancelled. The async query (which stays on the writer's
    /// thread) refuses to start in a cancelled task; the statement is then run through the future-based query, which
    /// is not dropped (and costs a hop through an event loop, so it is not the first choice).
    static func statement(_ sql: String, on connection: SQLiteConnection) async throws {
        do {
            _ = try await connection.query(sql)
        } catch is CancellationError {
            let done: EventLoopFuture<[SQLiteRow]> = connection.query(sql)
            _ = try await done.get()
        }
    }

    /// Rolls back. When that fails for any reason but there being no transaction, the connection's state is unknown:
    /// it is closed, and the next transaction opens another.
    private func rollBack(_ connection: SQLiteConnection) async {
        do {
            try await Self.statement("ROLLBACK", on: connection)
        } catch {
            if let sqlite = error as? SQLiteError, sqlite.message.contains("no transaction is active") { return }
            logger.warning("No se pudo deshacer una transacción; se cierra la conexión de escritura y se abrirá otra.", metadata: ["error": "\(error)"])
            self.connection.withLockedValue { current in
                if current === connection { current = nil }
            }
            await Self.close(connection)
        }
    }

    /// Every `writerCheckpointEvery` transactions (and after each one while the last attempt fell short), between two
    /// of them, copies what is left of the log, so that the next transaction can start it over. A log that has grown
    /// past `restartPages` anyway (readers holding old snapshots) is started over even if the writer must wait.
    private func checkpointIfDue(_ connection: SQLiteConnection) async {
        let due = checkpoints.withLockedValue { state in
            state.transactions += 1
            return state.retry || state.transactions % Self.writerCheckpointEvery == 0
        }
        guard due else { return }
        do {
            let row = try await Self.checkpoint(connection).first
            let busy = row?.column("busy")?.integer ?? 0
            let log = Int64(row?.column("log")?.integer ?? 0)
            let copied = Int64(row?.column("checkpointed")?.integer ?? 0)
            checkpoints.withLockedValue { $0.retry = busy != 0 || copied < log }
            if log > Self.restartPages {
                logger.warning("El registro de escritura de SQLite creció a \(log) páginas; se reinicia esperando a los lectores.")
                let restart: EventLoopFuture<[SQLiteRow]> = connection.query("PRAGMA wal_checkpoint(RESTART)")
                _ = try await restart.get()
            }
        } catch {
            logger.warning("No se pudo copiar el registro de escritura a la base de datos; se reintentará.", metadata: ["error": "\(error)"])
        }
    }

    private func open() async throws -> SQLiteConnection {
        guard !closed.withLockedValue({ $0 }) else { throw StoreError.cannotOpenSQLite(path: source.path, detail: "la base de datos se está cerrando") }
        if let connection = connection.withLockedValue({ $0 }), !connection.isClosed { return connection }
        let opened = try await source.makeConnection(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()).get()
        connection.withLockedValue { $0 = opened }
        return opened
    }

    /// Copies the write-ahead log into the database file while there are writes (every few milliseconds), until
    /// cancelled, then once more.
    ///
    /// The checkpoints are passive: they never wait for, nor block, readers or the writer. The log can only start
    /// over from its beginning once it has been copied entirely before the writer's next transaction, which under a
    /// steady load only the writer itself can see to: it copies the little this checkpointer has not yet copied
    /// every `writerCheckpointEvery` transactions (see `run`).
    private static func checkpoint(_ source: SQLiteSource, whenWritten written: NIOLockedValueBox<Bool>, logger: Logger) async {
        var connection: SQLiteConnection?
        var busy = false
        while true {
            let stopping = (try? await Task.sleep(for: busy ? .milliseconds(10) : .milliseconds(200))) == nil
            busy = written.withLockedValue { value in
                defer { value = false }
                return value
            }
            if busy {
                do {
                    if connection == nil || connection?.isClosed == true {
                        connection = try await source.makeConnection(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()).get()
                    }
                    if let connection { _ = try await Self.checkpoint(connection) }
                } catch {
                    logger.warning("No se pudo copiar el registro de escritura a la base de datos; se reintentará.", metadata: ["error": "\(error)"])
                }
            }
            if stopping { break }
        }
        if let connection { await Self.close(connection) }
    }

    /// A passive checkpoint, run to its end even when the calling task is cancelled (the async query would be dropped
    /// at once; the future-based one is not).
    private static func checkpoint(_ connection: SQLiteConnection) async throws -> [SQLiteRow] {
        let rows: EventLoopFuture<[SQLiteRow]> = connection.query("PRAGMA wal_checkpoint(PASSIVE)")
        return try await rows.get()
    }

    /// Closes a connection even when the calling task is cancelled (SQLite connections must be closed before they go).
    private static func close(_ connection: SQLiteConnection) async {
        let closed: EventLoopFuture<Void> = connection.close()
        try? await closed.get()
    }

    /// Closes the connection (after the transaction that holds the gate, if any), checkpoints and stops the threads.
    func shutdown() async {
        await gate.run {
            closed.withLockedValue { $0 = true }
            if let connection = connection.withLockedValue({ value in
                defer { value = nil }
                return value
            }) {
                await Self.close(connection)
            }
        }
        checkpointer.cancel()
        await checkpointer.value
        try? await threadPool.shutdownGracefully()
    }

    /// For a `Database` dropped without `shutdown()`: releases the threads without waiting.
    func abandon() {
        checkpointer.cancel()
        let connection = connection.withLockedValue { value in
            defer { value = nil }
            return value
        }
        let threadPool = threadPool
        if let connection {
            connection.close().whenComplete { _ in threadPool.shutdownGracefully { _ in } }
        } else {
            threadPool.shutdownGracefully { _ in }
        }
    }
}
