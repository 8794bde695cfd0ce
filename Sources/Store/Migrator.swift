import CarteraCore
import Logging
import SQLKit

/// Applies the numbered migrations that a database does not have yet, each in its own transaction, and records them
/// in `schema_migrations`.
///
/// Running it again does nothing. Several processes may run it at once: on PostgreSQL an advisory lock and on SQLite
/// the write lock make them take turns, and each re-checks what is applied inside its transaction.
public struct Migrator: Sendable {
    /// A migration recorded in the database.
    public struct Applied: Sendable, Hashable {
        public let version: Int
        public let name: String
        public let appliedAt: String
    }

    let database: Database
    let migrations: [Migration]
    let clock: @Sendable () -> Timestamp

    public init(database: Database, migrations: [Migration] = Migrations.all, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        precondition(
            migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version },
            "migration versions must be 1, 2, 3… without gaps"
        )
        self.database = database
        self.migrations = migrations
        self.clock = clock
    }

    /// Advisory lock key used on PostgreSQL while migrating ("CRTRMIGR" as ASCII, folded into 63 bits).
    static let advisoryLockKey: Int64 = 0x4352_5452_4D49_4752 & 0x7FFF_FFFF_FFFF_FFFF

    /// The migrations recorded in the database, oldest first.
    public func applied() async throws -> [Applied] {
        try await ensureTable()
        return try await database.withConnection { db in
            try await db.raw("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").all().map { row in
                Applied(
                    version: try row.decode(column: "version", as: Int.self),
                    name: try row.decode(column: "name", as: String.self),
                    appliedAt: try row.decode(column: "applied_at", as: String.self)
                )
            }
        }
    }

    /// The migrations this version knows that the database lacks. Throws when the database is ahead or differs.
    public func pending() async throws -> [Migration] {
        let applied = try await applied()
        return try Self.check(applied: applied, against: migrations)
    }

    /// Applies every pending migration; returns those it applied (empty when the database was up to date).
    @discardableResult
    public func migrate(logger: Logger = Logger(label: "cartera.store.migrator")) async throws -> [Migration] {
        try await ensureTable()
        var done: [Migration] = []
        for migration in migrations {
            let applied = try await apply(migration)
            if applied {
                logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration)
            }
        }
        _ = try await pending()  // verifies the recorded list matches this version
        return done
    }

    /// Applies one migration unless it is already recorded; `true` if it ran.
    private func apply(_ migration: Migration) async throws -> Bool {
        let dialect = database.dialect
        let now = clock().text
        do {
            return try await database.transaction(isolation: .readCommitted, maxAttempts: 3) { db in
                if dialect == .postgres {
                    try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryLockKey))").run()
                }
                let existing = try await db.raw("SELECT name FROM schema_migrations WHERE version = \(bind: migration.version)")
                    .first(decodingColumn: "name", as: String.self)
                if let existing {
                    guard existing == migration.name else {
                        throw StoreError.migrationMismatch(version: migration.version, recorded: existing, expected: migration.name)
                    }
                    return false
                }
                for statement in migration.statements(ColumnTypes(dialect: dialect)) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))"
                ).run()
                return true
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.migrationFailed(version: migration.version, name: migration.name, detail: Database.shortDescription(of: error))
        }
    }

    private func ensureTable() async throws {
        let dialect = database.dialect
        try await database.transaction(isolation: .readCommitted, maxAttempts: 3) { db in
            if dialect == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryLockKey))").run()
            }
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """
            ).run()
        }
    }

    static func check(applied: [Applied], against migrations: [Migration]) throws(StoreError) -> [Migration] {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        let unknown = applied.map(\.version).filter { known[$0] == nil }
        if !unknown.isEmpty { throw .unknownMigrations(unknown) }
        for record in applied where known[record.version]!.name != record.name {
            throw .migrationMismatch(version: record.version, recorded: record.name, expected: known[record.version]!.name)
        }
        let appliedVersions = Set(applied.map(\.version))
        return migrations.filter { !appliedVersions.contains($0.version) }
    }
}
