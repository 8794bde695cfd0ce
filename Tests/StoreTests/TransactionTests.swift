import CarteraTestSupport
import SQLKit
import Store
import Testing

@Suite("Transactions")
struct TransactionTests {
    static func createCounter(_ database: Database) async throws {
        try await database.withConnection { db in
            try await db.raw("CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)").run()
            try await db.raw("INSERT INTO counters (name, value) VALUES ('c', 0)").run()
        }
    }

    static func value(_ database: Database) async throws -> Int64? {
        try await database.withConnection { db in
            try await db.raw("SELECT value FROM counters WHERE name = 'c'").first(decodingColumn: "value", as: Int64.self)
        }
    }

    struct Boom: Error {}

    @Test("commit keeps every change; an error rolls every change back", arguments: TestEngine.available)
    func commitAndRollback(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.createCounter(database)
            try await database.transaction { db in
                try await db.raw("UPDATE counters SET value = 5 WHERE name = 'c'").run()
            }
            #expect(try await Self.value(database) == 5)
            await #expect(throws: Boom.self) {
                try await database.transaction { db in
                    try await db.raw("UPDATE counters SET value = 7 WHERE name = 'c'").run()
                    try await db.raw("INSERT INTO counters (name, value) VALUES ('d', 1)").run()
                    throw Boom()
                }
            }
            #expect(try await Self.value(database) == 5)
            let rows = try await database.withConnection { db in try await db.raw("SELECT name FROM counters").all().count }
            #expect(rows == 1)
        }
    }

    @Test("concurrent read-modify-write transactions lose no update", arguments: TestEngine.available)
    func noLostUpdates(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.createCounter(database)
            let workers = 8
            let increments = 10
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        for _ in 0..<increments {
                            try await database.transaction(maxAttempts: 50) { db in
                                let current = try await db.raw("SELECT value FROM counters WHERE name = 'c'")
                                    .first(decodingColumn: "value", as: Int64.self) ?? 0
                                try await db.raw("UPDATE counters SET value = \(bind: current + 1) WHERE name = 'c'").run()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.value(database) == Int64(workers * increments))
        }
    }

    @Test("a transaction whose task is cancelled is rolled back or completed, never half kept, and the next one runs", arguments: TestEngine.available)
    func cancelled(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.createCounter(database)
            let started = AsyncStream<Void>.makeStream()
            let task = Task {
                try await database.transaction { db in
                    try await db.raw("UPDATE counters SET value = 9 WHERE name = 'c'").run()
                    started.continuation.yield()
                    try await Task.sleep(for: .seconds(2))
                    try await db.raw("UPDATE counters SET value = 10 WHERE name = 'c'").run()
                }
            }
            var iterator = started.stream.makeAsyncIterator()
            await iterator.next()
            task.cancel()
            let outcome = await task.result
            // The next transaction runs (on SQLite the one writer connection was not left inside the cancelled one).
            try await database.transaction { db in try await db.raw("UPDATE counters SET value = value + 1 WHERE name = 'c'").run() }
            switch engine {
            case .sqlite:
                // SQLite's writer runs in the caller's task: the cancellation reaches it and it is rolled back.
                #expect(throws: CancellationError.self) { try outcome.get() }
                #expect(try await Self.value(database) == 1)
            case .postgres:
                // PostgreSQL's connection runs the transaction in a task of its own: it completes. Never 9 + 1.
                #expect(try await Self.value(database) == (outcome.isSuccess ? 11 : 1))
            }
        }
    }

    @Test("a transaction inside another is refused, not deadlocked", arguments: TestEngine.available)
    func nested(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            await #expect(throws: StoreError.nestedTransaction) {
                try await database.transaction { _ in
                    try await database.transaction { db in try await db.raw("SELECT 1").run() }
                }
            }
        }
    }

    @Test("64-bit money values survive a round trip exactly", arguments: TestEngine.available)
    func bigintRoundTrip(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Self.createCounter(database)
            for value in [Int64.max, Int64.min, -1, 0, 123_456_789_012_345] {
                let read = try await database.transaction { db in
                    try await db.raw("UPDATE counters SET value = \(bind: value) WHERE name = 'c'").run()
                    return try await db.raw("SELECT value FROM counters WHERE name = 'c'").first(decodingColumn: "value", as: Int64.self)
                }
                #expect(read == value)
            }
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
