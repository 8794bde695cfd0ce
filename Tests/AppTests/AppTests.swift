import App
import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Store
import Testing

/// Opens a migrated SQLite database in a new temporary folder, runs `body` with it, then removes it.
func withTestDatabase<T>(_ body: (Database) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cartera-app-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await Database.withOpened(.sqlite(path: folder.appendingPathComponent("app.sqlite").path)) { database in
        try await Migrator(database: database).migrate()
        return try await body(database)
    }
}

/// The personal-data keys of this test process: the app and the test fixtures that write encrypted fields share them.
enum TestKeys {
    static let ring = KeyRing.generate()
    static let live = LiveKeys(ring)
}

func makeApp(
    _ database: Database,
    keys: KeyRing = TestKeys.ring,
    clock: @escaping @Sendable () -> Timestamp = { .now },
    configure: (inout AppConfiguration) -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var configuration = AppConfiguration(databaseURL: database.url, port: 0)
    // Tests close days themselves (a background close would move the loans they look at).
    configuration.scheduledClose = false
    configuration.scheduledMessages = false
    configure(&configuration)
    return try await buildApplication(
        configuration: configuration,
        database: database,
        keys: LiveKeys(keys),
        logger: Logger(label: "test"),
        clock: clock
    )
}

struct ErrorBody: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String
        let request_id: String
    }
    let error: Detail
}

@Suite("HTTP server")
struct AppTests {
    @Test("GET /health answers ok")
    func health() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                    #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.count == 32)
                }
            }
        }
    }

    @Test("GET /ready answers 200 while the database answers and 503 when it does not")
    func ready() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                // Ready once the database answers within the probe's two seconds (a loaded test machine may need a retry).
                var ready = try await client.execute(uri: "/ready", method: .get)
                for _ in 0..<10 where ready.status != .ok {
                    try await Task.sleep(for: .milliseconds(500))
                    ready = try await client.execute(uri: "/ready", method: .get)
                }
                #expect(ready.status == .ok)
                #expect(String(buffer: ready.body) == #"{"status":"ready"}"#)
                try await database.shutdown()
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = try JSONDecoder().decode(ErrorBody.self, from: Data(String(buffer: response.body).utf8))
                    #expect(body.error.code == "database_unavailable")
                }
            }
        }
    }

    @Test("GET /metrics exposes Prometheus text with request counters")
    func metrics() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                _ = try await client.execute(uri: "/health", method: .get)
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"cartera_build_info{version="\#(CarteraVersion.current)"} 1"#))
                    #expect(text.contains("# TYPE hb_requests counter"))
                }
            }
        }
    }

    @Test("the caller's request id is echoed; a bad one is replaced")
    func requestID() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                let name = HTTPField.Name("X-Request-Id")!
                try await client.execute(uri: "/health", method: .get, headers: [name: "abc-123"]) { response in
                    #expect(response.headers[name] == "abc-123")
                }
                try await client.execute(uri: "/health", method: .get, headers: [name: "bad id\u{7F}"]) { response in
                    #expect(response.headers[name] != "bad id\u{7F}")
                    #expect(response.headers[name]?.count == 32)
                }
            }
        }
    }

    @Test("errors keep the JSON shape in Spanish with the request id; unknown pages need a session first")
    func notFound() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                let name = HTTPField.Name("X-Request-Id")!
                try await client.execute(uri: "/api/v1/nothing/here", method: .get, headers: [name: "req-1"]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    #expect(response.headers[name] == "req-1")
                    let body = try JSONDecoder().decode(ErrorBody.self, from: Data(String(buffer: response.body).utf8))
                    #expect(body.error.code == "unauthorized")
                    #expect(body.error.request_id == "req-1")
                }
                for method in [HTTPRequest.Method.get, .post, .delete] {
                    try await client.execute(uri: "/nothing/here", method: method) { response in
                        #expect(response.status == .seeOther)
                        #expect(response.headers[.location] == "/login")
                    }
                }
            }
        }
    }

    @Test("the server starts, listens on a real port and stops gracefully")
    func live() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.live) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}

@Suite("Home page")
struct HomePageTests {
    @Test("GET / names the lender, escaped, for a signed-in user")
    func home() async throws {
        try await withTestDatabase { database in
            _ = try await TestStaff.seed(database)
            try await database.withConnection { db in
                try await db.raw("UPDATE lenders SET short_name = 'Crédito <A&B>'").run()
            }
            try await makeApp(database).test(.router) { client in
                let browser = TestBrowser(client)
                try await browser.get("/login")
                try await browser.post("/login", ["username": "u.analista.credito", "password": TestStaff.password])
                let response = try await browser.get("/")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.text.contains("<strong>Crédito &lt;A&amp;B&gt;</strong>"))
            }
        }
    }
}
