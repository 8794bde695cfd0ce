import CarteraTestSupport
import CarteraCore
import Foundation
import Store
import Testing

@Suite("Idempotency keys")
struct IdempotencyKeysTests {
    let t0 = Timestamp(millisecondsSince1970: 1_795_000_000_000)

    @Test("a key starts once, replays its response, and refuses a different request", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        let t0 = self.t0
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            func begin(_ key: String, _ hash: String, at now: Timestamp) async throws -> IdempotencyKeys.Outcome {
                try await database.transaction { db in
                    try await IdempotencyKeys.begin(scope: "payments", key: key, requestHash: hash, now: now, on: db)
                }
            }
            #expect(try await begin("k1", "h1", at: t0) == .started)
            #expect(try await begin("k1", "h1", at: t0) == .inProgress)
            #expect(try await begin("k1", "other", at: t0) == .mismatch)
            // Same key in another scope is independent.
            let otherScope = try await database.transaction { db in
                try await IdempotencyKeys.begin(scope: "refunds", key: "k1", requestHash: "h1", now: t0, on: db)
            }
            #expect(otherScope == .started)

            let body = Data(#"{"id":"p_1"}"#.utf8)
            try await database.transaction { db in
                try await IdempotencyKeys.complete(scope: "payments", key: "k1", status: 201, body: body, now: t0, on: db)
            }
            #expect(try await begin("k1", "h1", at: t0.adding(seconds: 60)) == .replay(status: 201, body: body))
            #expect(try await begin("k1", "other", at: t0.adding(seconds: 60)) == .mismatch)

            // After its lifetime the key may be used again.
            #expect(try await begin("k1", "h2", at: t0.adding(seconds: IdempotencyKeys.defaultLifetimeSeconds + 1)) == .started)
        }
    }

    @Test("an abandoned key can be retried; expired keys are purged", arguments: TestEngine.available)
    func abandonAndPurge(engine: TestEngine) async throws {
        let t0 = self.t0
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let outcome = try await database.transaction { db in
                let first = try await IdempotencyKeys.begin(scope: "s", key: "k", requestHash: "h", now: t0, on: db)
                try await IdempotencyKeys.abandon(scope: "s", key: "k", on: db)
                let second = try await IdempotencyKeys.begin(scope: "s", key: "k", requestHash: "h", now: t0, on: db)
                return [first, second]
            }
            #expect(outcome == [.started, .started])
            let purged = try await database.transaction { db in
                _ = try await IdempotencyKeys.begin(scope: "s", key: "k2", requestHash: "h", now: t0, lifetimeSeconds: 10, on: db)
                let early = try await IdempotencyKeys.purgeExpired(now: t0.adding(seconds: 5), on: db)
                let late = try await IdempotencyKeys.purgeExpired(now: t0.adding(seconds: 11), on: db)
                return [early, late]
            }
            #expect(purged == [0, 1])
        }
    }

    @Test("a work failure inside the transaction also forgets the key", arguments: TestEngine.available)
    func rollbackForgetsKey(engine: TestEngine) async throws {
        struct Failure: Error {}
        let t0 = self.t0
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            await #expect(throws: Failure.self) {
                try await database.transaction { db in
                    _ = try await IdempotencyKeys.begin(scope: "s", key: "k", requestHash: "h", now: t0, on: db)
                    throw Failure()
                }
            }
            let again = try await database.transaction { db in
                try await IdempotencyKeys.begin(scope: "s", key: "k", requestHash: "h", now: t0, on: db)
            }
            #expect(again == .started)
        }
    }

    @Test("keys must be 1–255 visible ASCII characters", arguments: ["", " ", "a b", "ñ", String(repeating: "x", count: 256)])
    func invalidKeys(key: String) {
        #expect(throws: IdempotencyKeys.InvalidKey.self) { try IdempotencyKeys.validate(key: key) }
    }
}

@Suite("Idempotency keys under concurrency")
struct IdempotencyRaceTests {
    @Test("of many simultaneous requests with one key, exactly one starts", arguments: TestEngine.available)
    func race(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let now = Timestamp(millisecondsSince1970: 1_795_000_000_000)
            let outcomes = try await withThrowingTaskGroup(of: IdempotencyKeys.Outcome.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await database.transaction(maxAttempts: 50) { db in
                            try await IdempotencyKeys.begin(scope: "payments", key: "same", requestHash: "h", now: now, on: db)
                        }
                    }
                }
                var outcomes: [IdempotencyKeys.Outcome] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { $0 == .started }.count == 1)
            #expect(outcomes.filter { $0 == .inProgress }.count == 7)
        }
    }
}
