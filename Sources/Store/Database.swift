import AsyncKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// A pool of connections to the lender's database, SQLite or PostgreSQL, behind one SQLKit interface.
///
/// Repositories take an `any SQLDatabase` and never know which engine they talk to; the few places where the SQL
/// differs ask `dialect`. Open a database with `open(_:logger:)`, which checks that it answers, and close it with
/// `shutdown()`.
public final class Database: Sendable {
    /// `EventLoopGroupConnectionPool` is not marked `Sendable`, but it is built to be shared: its mutable state is
    /// behind a lock and each per-loop pool is only touched on its own event loop (Vapor shares it the same way).
    enum Pool: @unchecked Sendable {
        case sqlite(EventLoopGroupConnectionPool<SQLiteSource>)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    /// Which engine this is.
    public let dialect: SQLDialectKind
    /// The URL it was opened with (use `description` for a form without the password).
    public let url: DatabaseURL
    /// On PostgreSQL, the schema that holds the tables when it is not the default one.
    public let postgresSchema: String?
    let pool: Pool
    let logger: Logger
    /// On SQLite, the connection every write transaction uses, behind the in-process queue of writers for the file;
    /// `nil` on PostgreSQL.
    let writer: SQLiteWriter?
    private let isShutDown = NIOLockedValueBox(false)

    private init(url: DatabaseURL, pool: Pool, logger: Logger, postgresSchema: String? = nil) {
        self.url = url
        self.postgresSchema = postgresSchema
        self.dialect = url.dialect
        self.pool = pool
        // The pool reports connection failures itself at error level; Cartera reports them once, with advice.
        var poolLogger = logger
        poolLogger.logLevel = .critical
        self.logger = poolLogger
        if case .sqlite(let path) = url {
            writer = SQLiteWriter(path: path, gate: WriterGate.forFile(URL(fileURLWithPath: path).standardizedFileURL.path), logger: poolLogger)
        } else {
            writer = nil
        }
    }

    /// Opens a connection pool and checks that the database answers.
    ///
    /// Throws `StoreError.cannotOpenSQLite` or `StoreError.unreachable` with a message that says what to fix.
    /// - Parameters:
    ///   - postgresSchema: on PostgreSQL, keep every table in this schema (created if missing) instead of `public`;
    ///     several installations, or test runs, can then share one database. Ignored on SQLite.
    public static func open(
        _ url: DatabaseURL,
        logger: Logger = Logger(label: "cartera.store"),
        postgresSchema: String? = nil
    ) async throws -> Database {
        let group = MultiThreadedEventLoopGroup.singleton
        var poolLogger = logger
        poolLogger.logLevel = .critical
        let database: Database
        switch url {
        case .sqlite(let path):
            try SQLiteSource.checkWritable(path: path)
            let source = SQLiteSource(path: path)
            let pool = EventLoopGroupConnectionPool(
                source: source,
                maxConnectionsPerEventLoop: 2,
                requestTimeout: .seconds(30),
                pruneInterval: nil,
                logger: poolLogger,
                on: group
            )
            database = Database(url: url, pool: .sqlite(pool), logger: logger)
        case .postgres(let text):
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: text)
            } catch {
                throw StoreError.invalidURL(url.description)
            }
            if let postgresSchema {
                try await createSchema(postgresSchema, configuration: configuration, url: url, logger: logger)
                configuration.searchPath = [postgresSchema]
            }
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                // At most 8 connections per process in all, whatever the core count: PostgreSQL's default
                // max_connections (100) must serve several app instances.
                maxConnectionsPerEventLoop: max(1, 8 / max(1, System.coreCount)),
                requestTimeout: .seconds(15),
                pruneInterval: .seconds(60),
                logger: poolLogger,
                on: group
            )
            database = Database(url: url, pool: .postgres(pool), logger: logger, postgresSchema: postgresSchema)
        }
        do {
            try await database.ping()
        } catch {
            try? await database.shutdown()
            throw database.describeConnectionFailure(error)
        }
        return database
    }

    /// Creates a PostgreSQL schema if it does not exist, on a short-lived connection.
    private static func createSchema(
        _ schema: String,
        configuration: SQLPostgresConfiguration,
        url: DatabaseURL,
        logger: Logger
    ) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(),
                configuration: configuration.coreConfiguration,
                id: 0,
                logger: logger
            ).get()
        } catch {
            throw StoreError.unreachable(url: url.description, detail: shortDescription(of: error))
        }
        do {
            try await connection.sql().raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        } catch {
            try? await connection.close()
            throw StoreError.unreachable(url: url.description, detail: shortDescription(of: error))
        }
        try? await connection.close()
    }

    /// Runs `body` with one connection of the pool, released when `body` returns.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        switch pool {
        case .sqlite(let pool):
            return try await pool.withConnection(logger: logger) { connection in
                connection.eventLoop.makeFutureWithTask { try await body(connection.sql(queryLogLevel: .trace)) }
            }.get()
        case .postgres(let pool):
            return try await pool.withConnection(logger: logger) { connection in
                connection.eventLoop.makeFutureWithTask { try await body(connection.sql(queryLogLevel: .trace)) }
            }.get()
        }
    }

    /// Checks that the database answers a trivial query.
    public func ping() async throws {
        try await withConnection { db in try await db.raw("SELECT 1").run() }
    }

    /// A database dropped without `shutdown()` (an error path that forgot it) still closes its connections.
    deinit {
        let alreadyShutDown = isShutDown.withLockedValue { $0 }
        guard !alreadyShutDown else { return }
        writer?.abandon()
        switch pool {
        case .sqlite(let pool): pool.shutdownGracefully { _ in _ = pool }  // keeps the pool alive until it is shut down
        case .postgres(let pool): pool.shutdownGracefully { _ in _ = pool }
        }
    }

    /// Closes every connection. The database cannot be used afterwards. Calling it again does nothing.
    public func shutdown() async throws {
        let alreadyShutDown = isShutDown.withLockedValue { value in
            defer { value = true }
            return value
        }
        if alreadyShutDown { return }
        await writer?.shutdown()
        switch pool {
        case .sqlite(let pool): try await pool.shutdownAsync()
        case .postgres(let pool): try await pool.shutdownAsync()
        }
    }

    /// Turns a low-level connection error into a `StoreError` a person can act on.
    func describeConnectionFailure(_ error: any Error) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        switch url {
        case .sqlite(let path):
            return .cannotOpenSQLite(path: path, detail: Self.shortDescription(of: error))
        case .postgres:
            return .unreachable(url: url.description, detail: Self.shortDescription(of: error))
        }
    }

    /// A one-line description of an error without secrets or stack traces.
    static func shortDescription(of error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return shortDescription(of: underlying) }
            return psql.code.description
        }
        if let sqlite = error as? SQLiteError { return sqlite.message }
        if error is ConnectionPoolTimeoutError { return "tiempo de espera agotado" }
        if error is ConnectionPoolError { return "el grupo de conexiones está cerrado" }
        if let io = error as? IOError { return io.description }
        return String(describing: error).prefix(200).description
    }
}

extension Database {
    /// Opens a database, runs `body` with it, and closes it whether `body` succeeds or throws.
    public static func withOpened<T>(
        _ url: DatabaseURL,
        logger: Logger = Logger(label: "cartera.store"),
        _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = try await open(url, logger: logger)
        do {
            let result = try await body(database)
            try await database.shutdown()
            return result
        } catch {
            try? await database.shutdown()
            throw error
        }
    }
}
