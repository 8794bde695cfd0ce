import CarteraTestSupport
import SQLKit
import Store
import Testing

extension Result where Failure == any Error {
    /// Captures the outcome of async work, so cleanup can run before a failure is rethrown.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite("Migrations")
struct MigratorTests {
    @Test("apply once, in order, and record each", arguments: TestEngine.available)
    func appliesAndRecords(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            let migrator = Migrator(database: database)
            #expect(try await migrator.pending().map(\.version) == Migrations.all.map(\.version))
            let first = try await migrator.migrate()
            #expect(first.map(\.version) == Migrations.all.map(\.version))
            let recorded = try await migrator.applied()
            #expect(recorded.map(\.version) == Migrations.all.map(\.version))
            #expect(recorded.map(\.name) == Migrations.all.map(\.name))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.pending().isEmpty)
            // The tables exist and are empty.
            let count = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys").first(decodingColumn: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("two processes migrating at once apply each migration once", arguments: TestEngine.available)
    func concurrentMigrators(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            let other = try await Database.open(database.url, postgresSchema: database.postgresSchema)
            let outcome = await Result(catching: {
                async let a = Migrator(database: database).migrate()
                async let b = Migrator(database: other).migrate()
                return try await (a, b)
            })
            try await other.shutdown()
            let (appliedA, appliedB) = try outcome.get()
            #expect(appliedA.count + appliedB.count == Migrations.all.count)
            #expect(try await Migrator(database: database).applied().count == Migrations.all.count)
        }
    }

    @Test("a database migrated by a newer version is refused", arguments: TestEngine.available)
    func unknownMigration(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            try await database.withConnection { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run()
            }
            await #expect(throws: StoreError.unknownMigrations([999])) { try await Migrator(database: database).migrate() }
        }
    }

    @Test("a recorded migration with another name is refused", arguments: TestEngine.available)
    func mismatchedMigration(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            try await database.withConnection { db in
                try await db.raw("UPDATE schema_migrations SET name = 'renamed' WHERE version = 1").run()
            }
            await #expect(throws: StoreError.self) { try await Migrator(database: database).migrate() }
            await #expect(throws: StoreError.self) { try await Migrator(database: database).pending() }
        }
    }
}
