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
    /// Transactions run; only touched while holding the gate.
    private let transactions = NIOLockedValueBox(0)
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

    /// Every `writerCheckpointEvery` transactions, between two of them, copies what is left of the log, so that the next
    /// transaction can start it over.
    private func checkpointIfDue(_ connection: SQLiteConnection) async {
        let count = transactions.withLockedValue { value in
            value += 1
            return value
        }
        guard count % Self.writerCheckpointEvery == 0 else { return }
        do {
            _ = try await Self.checkpoint(connection)
        } catch {
            logger.warning("No se pudo copiar el registro de escritura a la base de datos; se reintentará.", metadata: ["error": "\(error)"])
        }
    }

    private func open() async throws -> SQLiteConnection {
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
