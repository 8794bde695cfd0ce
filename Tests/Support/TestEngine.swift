import Foundation
import Logging
import SQLKit
import Store

/// The engines every store test runs on: SQLite always, PostgreSQL when `CARTERA_TEST_DATABASE_URL` is set.
public enum TestEngine: String, Sendable, CaseIterable {
    case sqlite
    case postgres

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CARTERA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The engines available in this run.
    public static var available: [TestEngine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// Opens a fresh, empty database of this engine (a new SQLite file or a new PostgreSQL schema), runs `body`, then
    /// closes and removes it.
    public func withFreshDatabase<T: Sendable>(_ body: (Database) async throws -> T) async throws -> T {
        let name = "cartera_test_\(UUID().uuidString.prefix(8).lowercased())"
        let database: Database
        var cleanup: @Sendable () async throws -> Void
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            database = try await Database.open(.sqlite(path: folder.appendingPathComponent("test.sqlite").path))
            cleanup = { try? FileManager.default.removeItem(at: folder) }
        case .postgres:
            guard let url = Self.postgresURL else { throw NotConfigured() }
            database = try await Database.open(try DatabaseURL(url), postgresSchema: name)
            cleanup = {
                let admin = try await Database.open(try DatabaseURL(url))
                do {
                    try await admin.withConnection { db in try await db.raw("DROP SCHEMA \(ident: name) CASCADE").run() }
                } catch {
                    try? await admin.shutdown()
                    throw error
                }
                try await admin.shutdown()
            }
        }
        do {
            let result = try await body(database)
            try await database.shutdown()
            try await cleanup()
            return result
        } catch {
            try? await database.shutdown()
            try? await cleanup()
            throw error
        }
    }
}

/// PostgreSQL tests were asked for without `CARTERA_TEST_DATABASE_URL`.
public struct NotConfigured: Error {}
