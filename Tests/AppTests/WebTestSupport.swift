import App
import CarteraTestSupport
import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Store

/// A small browser over the test client: keeps cookies like a browser does, and sends forms with the CSRF token of
/// the last page it loaded.
final class TestBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    private(set) var page = ""

    init(_ client: any TestClientProtocol) { self.client = client }

    /// The CSRF token of the last page's first form.
    var csrf: String? {
        guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        try await send(uri, method: .get, body: nil)
    }

    /// Posts `fields` as a form, adding the last page's CSRF token unless `csrf` is given.
    @discardableResult
    func post(_ uri: String, _ fields: [String: String] = [:], csrf: String? = nil) async throws -> TestResponse {
        var fields = fields
        fields["csrf"] = csrf ?? self.csrf ?? ""
        let body = fields.map { key, value in "\(Self.encode(key))=\(Self.encode(value))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: body)
    }

    /// Posts `fields` and one file as `multipart/form-data`, with the last page's CSRF token.
    @discardableResult
    func upload(_ uri: String, _ fields: [String: String], file: (field: String, name: String, data: Data)) async throws -> TestResponse {
        let boundary = "----CarteraTest\(UInt32.random(in: 0...UInt32.max))"
        var body = Data()
        for (key, value) in fields.merging(["csrf": csrf ?? ""], uniquingKeysWith: { first, _ in first }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(file.data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await send(uri, method: .post, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> TestResponse {
        try await send(uri, method: method, body: body.map { Data($0.utf8) }, contentType: body == nil ? nil : "application/x-www-form-urlencoded")
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: Data?, contentType: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.accept] = "text/html"
        headers[.userAgent] = "TestBrowser"
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            if header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = pair.count > 1 ? String(pair[1]) : "" }
        }
        let text = String(buffer: response.body)
        if response.headers[.contentType]?.hasPrefix("text/html") == true { page = text }
        return response
    }

    /// Loads the sign-in page and posts the user name and password.
    @discardableResult
    func signIn(_ username: String, password: String = TestStaff.password) async throws -> TestResponse {
        try await get("/login")
        return try await post("/login", ["username": username, "password": password])
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var location: String? { headers[.location] }
}

/// Staff users for web tests, one per role, created with a fast bcrypt cost.
struct TestStaff {
    static let password = "frase de prueba larga 2026"
    let ids: [Role: String]
    /// The client the borrower (acreditado) user is linked to.
    var borrowerClientID = ""

    static func seed(_ database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) async throws -> TestStaff {
        let administration = Administration(database: database, keys: TestKeys.live, clock: clock, bcryptCost: 4)
        _ = try await administration.createLender(legalName: "Financiera Prueba SA de CV SOFOM ENR", shortName: "Financiera Prueba", rfc: "SAT970701NN3", actor: .commandLine)
        // The borrower's client: a person other than the samples, so tests may register those.
        let lenderID = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
        var random = SplitMix64(seed: 7)
        let person = DemoPortfolio.person(1, &random)
        let borrower = try await database.transaction { db in
            try await ClientDirectory(database: database, keys: TestKeys.live, clock: clock).create(person, lenderID: lenderID, actor: .commandLine, on: db)
        }
        var ids: [Role: String] = [:]
        for role in Role.allCases {
            let user = try await administration.createUser(
                username: username(role), displayName: role.displayName, role: role, password: password, lenderID: nil,
                clientID: role == .acreditado ? borrower.id : nil, actor: .commandLine
            )
            ids[role] = user.id
        }
        return TestStaff(ids: ids, borrowerClientID: borrower.id)
    }

    static func username(_ role: Role) -> String { "u." + role.rawValue.replacingOccurrences(of: "_", with: ".") }
}

/// A migrated database with the test staff, the application on a movable clock, and a test client.
func withBackOffice(
    on engine: TestEngine = .sqlite, _ body: @escaping @Sendable (Database, any TestClientProtocol, TestClock) async throws -> Void
) async throws {
    try await engine.withFreshDatabase { database in
        try await Migrator(database: database).migrate()
        let clock = TestClock()
        _ = try await TestStaff.seed(database)
        try await makeApp(database, clock: { clock.read() }).test(.router) { client in
            try await body(database, client, clock)
        }
    }
}
