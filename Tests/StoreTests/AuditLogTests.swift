import CarteraTestSupport
import CarteraCore
import SQLKit
import CarteraSecurity
import Store
import Testing

@Suite("Audit log")
struct AuditLogTests {
    static func draft(_ index: Int) -> AuditEntry {
        .draft(
            at: Timestamp(millisecondsSince1970: 1_795_000_000_000 + Int64(index)), actorKind: .user, actorID: "u\(index % 3)",
            ipAddress: "10.0.0.\(index % 7)", action: "loan.update", objectType: "loan", objectID: "L-\(index)", outcome: .success,
            changeDigest: AuditChain.digest(Array("state \(index)".utf8)), requestID: "r\(index)"
        )
    }

    static func fill(_ database: Database, count: Int) async throws {
        try await Migrator(database: database).migrate()
        for index in 0..<count {
            _ = try await database.transaction { db in try await AuditLog.append(draft(index), on: db) }
        }
    }

    @Test("appends form an intact chain; concurrent appends keep it intact", arguments: TestEngine.available)
    func appendAndVerify(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.fill(database, count: 10)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 10..<40 {
                    group.addTask {
                        _ = try await database.transaction(maxAttempts: 50) { db in try await AuditLog.append(Self.draft(index), on: db) }
                    }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(database: database, batchSize: 7)
            #expect(result.firstBreak == nil)
            #expect(result.checked == 40)
            #expect(result.head?.sequence == 40)
        }
    }

    @Test("a log written before its hash lost its index (migration 15) keeps every entry and its chain, and goes on", arguments: TestEngine.available)
    func survivesTheRebuild(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database, migrations: Array(Migrations.all.prefix(14))).migrate()
            for index in 0..<12 { _ = try await database.transaction { db in try await AuditLog.append(Self.draft(index), on: db) } }
            let before = try await AuditLog.verify(database: database, batchSize: 5)
            #expect(try await Migrator(database: database, migrations: Array(Migrations.all.prefix(15))).migrate().map(\.version) == [15])
            let after = try await AuditLog.verify(database: database, batchSize: 5)
            #expect(after.firstBreak == nil && after.checked == 12 && after.head?.hash == before.head?.hash && before.head?.sequence == 12)
            _ = try await database.transaction { db in try await AuditLog.append(Self.draft(12), on: db) }
            let more = try await AuditLog.verify(database: database, batchSize: 5)
            #expect(more.firstBreak == nil && more.checked == 13 && more.head?.sequence == 13)
            // No unique index but the primary key's; the three indexes are there (rebuilt on SQLite).
            let (unique, indexes) = try await database.withConnection { db in
                database.dialect == .sqlite
                    ? (try await db.raw("SELECT COUNT(*) AS n FROM pragma_index_list('audit_log') WHERE \"unique\" = 1 AND origin = 'u'").first(decodingColumn: "n", as: Int.self),
                       try await db.raw("SELECT COUNT(*) AS n FROM pragma_index_list('audit_log') WHERE name LIKE 'audit_log_%'").first(decodingColumn: "n", as: Int.self))
                    : (try await db.raw("SELECT COUNT(*) AS n FROM pg_constraint WHERE conrelid = 'audit_log'::regclass AND contype = 'u'").first(decodingColumn: "n", as: Int.self),
                       try await db.raw("SELECT COUNT(*) AS n FROM pg_indexes WHERE tablename = 'audit_log' AND schemaname = current_schema() AND indexname LIKE 'audit_log_%' AND indexname <> 'audit_log_pkey'").first(decodingColumn: "n", as: Int.self))
            }
            #expect(unique == 0 && indexes == 3)
        }
    }

    @Test("an entry rolled back with its transaction leaves no trace", arguments: TestEngine.available)
    func rollback(engine: TestEngine) async throws {
        struct Failure: Error {}
        try await engine.withFreshDatabase { database in
            try await Self.fill(database, count: 3)
            await #expect(throws: Failure.self) {
                try await database.transaction { db in
                    try await AuditLog.append(Self.draft(99), on: db)
                    throw Failure()
                }
            }
            try await database.transaction { db in try await AuditLog.append(Self.draft(4), on: db) }
            let result = try await AuditLog.verify(database: database)
            #expect(result.firstBreak == nil && result.checked == 4)
        }
    }

    /// Each tampering, done with plain SQL as an intruder with database access would, and the break it must produce.
    static let tamperings: [(sql: String, expected: AuditChain.Break)] = [
        ("UPDATE audit_log SET object_id = 'L-X' WHERE sequence = 5", .init(kind: .altered, sequence: 5)),
        ("UPDATE audit_log SET outcome = 'failure' WHERE sequence = 1", .init(kind: .altered, sequence: 1)),
        ("UPDATE audit_log SET actor_kind = 'root' WHERE sequence = 8", .init(kind: .altered, sequence: 8)),
        ("UPDATE audit_log SET occurred_at = '2026-11-18T11:06:40Z' WHERE sequence = 1", .init(kind: .altered, sequence: 1)),
        ("DELETE FROM audit_log WHERE sequence = 6", .init(kind: .gap, sequence: 6)),
        ("UPDATE audit_log SET sequence = 100 WHERE sequence = 3", .init(kind: .gap, sequence: 3)),
        ("UPDATE audit_log SET previous_hash = (SELECT hash FROM audit_log WHERE sequence = 2) WHERE sequence = 4", .init(kind: .unlinked, sequence: 4)),
    ]

    @Test("tampering with any row is found and named", arguments: TestEngine.available, 0..<tamperings.count)
    func tampering(engine: TestEngine, index: Int) async throws {
        let tampering = Self.tamperings[index]
        try await engine.withFreshDatabase { database in
            try await Self.fill(database, count: 10)
            try await database.withConnection { db in try await db.raw(SQLQueryString(tampering.sql)).run() }
            let result = try await AuditLog.verify(database: database, batchSize: 4)
            #expect(result.firstBreak == tampering.expected, "\(tampering.sql)")
        }
    }

    @Test("removing the newest entries is found against a recorded head", arguments: TestEngine.available)
    func truncation(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.fill(database, count: 10)
            let head = try #require(try await AuditLog.verify(database: database).head)
            try await database.withConnection { db in try await db.raw("DELETE FROM audit_log WHERE sequence >= 9").run() }
            #expect(try await AuditLog.verify(database: database).firstBreak == nil)  // the chain alone cannot tell
            let result = try await AuditLog.verify(database: database, expectedHead: head)
            #expect(result.firstBreak == .init(kind: .truncated, sequence: 9))
        }
    }
}

@Suite("Audit writer (group commit)")
struct AuditWriterTests {
    @Test("many concurrent appends are all committed, in one intact chain", arguments: TestEngine.available)
    func groupCommit(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let writer = AuditWriter(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask { try await writer.append(AuditLogTests.draft(index)) }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(database: database)
            #expect(result.firstBreak == nil)
            #expect(result.checked == 60)
            let objects = try await database.withConnection { db in
                try await db.raw("SELECT object_id FROM audit_log").all(decodingColumn: "object_id", as: String.self)
            }
            #expect(Set(objects) == Set((0..<60).map { "L-\($0)" }))
        }
    }
}
