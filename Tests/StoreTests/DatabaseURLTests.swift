import Foundation
import Store
import Testing

@Suite("Database URL and connection errors")
struct DatabaseURLTests {
    @Test("parses SQLite and PostgreSQL URLs")
    func parses() throws {
        #expect(try DatabaseURL("sqlite://./cartera.sqlite") == .sqlite(path: "./cartera.sqlite"))
        #expect(try DatabaseURL("sqlite:///var/lib/cartera.sqlite") == .sqlite(path: "/var/lib/cartera.sqlite"))
        #expect(try DatabaseURL("postgres://u:p@localhost:5432/cartera").dialect == .postgres)
        #expect(try DatabaseURL("postgresql://u@db.internal/cartera?sslmode=disable").dialect == .postgres)
    }

    @Test("refuses malformed URLs", arguments: [
        "", "mysql://x/y", "sqlite://", "sqlite:///tmp/", "postgres://", "postgres://host", "postgres://:5432/db",
        "postgres://u:p@host:99999/db", "cartera.sqlite",
    ])
    func refuses(text: String) {
        #expect(throws: StoreError.self) { try DatabaseURL(text) }
    }

    @Test("never shows the password")
    func redacts() throws {
        let url = try DatabaseURL("postgres://cartera:s3cr3t@localhost:5432/cartera")
        #expect(url.description == "postgres://cartera:***@localhost:5432/cartera")
        #expect(!url.description.contains("s3cr3t"))
        let withAt = try DatabaseURL("postgres://cartera:p@ss@w0rd@localhost:5432/cartera")
        #expect(withAt.description == "postgres://cartera:***@localhost:5432/cartera")
        do {
            _ = try DatabaseURL("postgres://cartera:s3cr3t@/cartera")
            Issue.record("should have failed")
        } catch {
            #expect(!error.message.contains("s3cr3t"))
            #expect(error.message.contains("***"))
        }
    }

    @Test("a folder that does not exist gives a clear error")
    func missingFolder() async {
        await #expect(throws: StoreError.cannotOpenSQLite(path: "/nonexistent-cartera/x.sqlite", detail: "la carpeta «/nonexistent-cartera» no existe")) {
            _ = try await Database.open(.sqlite(path: "/nonexistent-cartera/x.sqlite"))
        }
    }

    @Test("an unreachable PostgreSQL server gives a clear error")
    func unreachable() async throws {
        do {
            _ = try await Database.open(try DatabaseURL("postgres://cartera:secret@127.0.0.1:1/cartera"))
            Issue.record("should have failed")
        } catch let error as StoreError {
            guard case .unreachable(let url, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(url == "postgres://cartera:***@127.0.0.1:1/cartera")
            #expect(error.message.hasPrefix("No se puede conectar a PostgreSQL"))
        }
    }
}
