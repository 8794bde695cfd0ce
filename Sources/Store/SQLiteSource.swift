import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// Opens SQLite connections configured for a ledger: write-ahead log, a busy timeout so that a second writer waits
/// instead of failing, foreign keys on, and full fsync on commit.
struct SQLiteSource: ConnectionPoolSource {
    /// How long a connection waits for another writer's lock before giving up.
    static let busyTimeoutMilliseconds = 10_000

    let path: String
    /// Where the connections' statements run.
    var threadPool: NIOThreadPool = .singleton
    /// Whether a commit that leaves the write-ahead log long copies it back into the database file then and there
    /// (SQLite's default). The writer connection turns it off and leaves that work to a checkpointer beside it.
    var checkpointsOnCommit = true

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        open(logger: logger, on: eventLoop, attempt: 1)
    }

    /// Opens and configures a connection. Switching a new file to WAL needs a moment alone with it, and SQLite answers
    /// "locked" at once (without its busy handler) while another process is doing the same, so a locked answer is
    /// retried for up to about ten seconds.
    private func open(logger: Logger, on eventLoop: any EventLoop, attempt: Int) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                var pragmas = [
                    "PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                    "PRAGMA foreign_keys = ON",
                    // 8 MiB of page cache per connection (the default is 2 MiB): a ledger's hot pages stay in memory. More
                    // made commits slower: SQLite scans the whole cache at the end of each write transaction.
                    "PRAGMA cache_size = -8192",
                ]
                if !checkpointsOnCommit {
                    // When the log starts over, its file is cut back to 64 MiB.
                    pragmas += ["PRAGMA wal_autocheckpoint = 0", "PRAGMA journal_size_limit = 67108864"]
                }
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { previous, pragma in
                    previous.flatMap { connection.query(pragma).map { _ in } }
                }
                .map { connection }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }
            .flatMapError { error in
                guard attempt < 100, let sqlite = error as? SQLiteError, sqlite.reason == .busy || sqlite.reason == .locked else {
                    return eventLoop.makeFailedFuture(error)
                }
                return eventLoop.scheduleTask(in: .milliseconds(100)) {}.futureResult.flatMap {
                    self.open(logger: logger, on: eventLoop, attempt: attempt + 1)
                }
            }
    }

    /// Fails with a clear `StoreError` when the file's folder does not exist or cannot be written.
    static func checkWritable(path: String) throws(StoreError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .cannotOpenSQLite(path: path, detail: "la carpeta «\(folder)» no existe")
        }
        if manager.fileExists(atPath: url.path) {
            guard manager.isWritableFile(atPath: url.path) else {
                throw .cannotOpenSQLite(path: path, detail: "el archivo no tiene permiso de escritura")
            }
        } else {
            guard manager.isWritableFile(atPath: folder) else {
                throw .cannotOpenSQLite(path: path, detail: "la carpeta «\(folder)» no tiene permiso de escritura")
            }
        }
    }
}
