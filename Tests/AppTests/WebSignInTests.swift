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
import Testing

@Suite("Back office: sign-in, second factor, sessions")
struct WebSignInTests {
    func auditActions(_ database: Database) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("SELECT action, outcome FROM audit_log ORDER BY sequence").all().map {
                "\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "outcome", as: String.self))"
            }
        }
    }

    @Test("The sign-in page: CSRF field and cookie, security headers, no script")
    func loginPage() async throws {
        try await withTestDatabase { database in
            try await makeApp(database).test(.router) { client in
                let browser = TestBrowser(client)
                let response = try await browser.get("/login")
                #expect(response.status == .ok)
                #expect(browser.csrf?.count == 32)
                #expect(browser.cookies["cartera_signin"] == browser.csrf)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"))
                let csp = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"))
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
                #expect(!response.text.lowercased().contains("<script"))
                // Loading the page again (another tab, a favicon fetch) keeps the same token.
                let token = browser.csrf
                try await browser.get("/login")
                #expect(browser.csrf == token && browser.cookies["cartera_signin"] == token)
                #expect(response.text.contains(#"lang="es-MX""#))
            }
        }
    }

    @Test("Behind a trusted proxy: HSTS over TLS and the forwarded client address; from anyone else the headers are ignored")
    func trustedProxy() async throws {
        for trusted in [true, false] {
            try await withTestDatabase { database in
                let app = try await makeApp(database, configure: { if trusted { $0.trustedProxies = ["127.0.0.1"] } })
                try await app.test(.live) { client in
                    let headers: HTTPFields = [
                        HTTPField.Name("X-Forwarded-Proto")!: "https", HTTPField.Name("X-Forwarded-For")!: "198.51.100.9, 203.0.113.7",
                        .contentType: "application/x-www-form-urlencoded", .cookie: "cartera_signin=abcdefghijklmnopqrstuvwxyz012345",
                    ]
                    let page = try await client.execute(uri: "/login", method: .get, headers: headers)
                    #expect(page.headers[HTTPField.Name("Strict-Transport-Security")!] == (trusted ? "max-age=31536000; includeSubDomains" : nil))
                    let body = ByteBuffer(string: "csrf=abcdefghijklmnopqrstuvwxyz012345&username=nadie&password=x")
                    #expect(try await client.execute(uri: "/login", method: .post, headers: headers, body: body).status == .unauthorized)
                    let addresses = try await database.withConnection { db in
                        try await db.raw("SELECT ip_address FROM audit_log WHERE action = 'auth.login'").all(decodingColumn: "ip_address", as: String.self)
                    }
                    #expect(addresses == [trusted ? "203.0.113.7" : "127.0.0.1"])
                }
            }
        }
    }

    @Test("A form without the CSRF token is refused and audited", arguments: TestEngine.available)
    func csrf(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.get("/login")
            let response = try await browser.post("/login", ["username": "u.analista.credito", "password": TestStaff.password], csrf: "forged")
            #expect(response.status == .forbidden)
            #expect(browser.cookies["cartera_session"] == nil)
            #expect(try await auditActions(database).contains("authz.csrf:denied"))
        }
    }

    @Test("Unknown user and wrong password get the same answer; both are audited", arguments: TestEngine.available)
    func genericErrors(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", ["username": "u.analista.credito", "password": "otra frase equivocada"])
            let wrongText = wrong.text
            try await browser.get("/login")
            let unknown = try await browser.post("/login", ["username": "nadie", "password": "otra frase equivocada"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrongText.contains("Usuario, contraseña o código incorrectos."))
            #expect(unknown.text.contains("Usuario, contraseña o código incorrectos."))
            #expect(try await auditActions(database).filter { $0 == "auth.login:failure" }.count == 2)
        }
    }

    @Test("A user without second factor signs in; a role without permission is denied with 403 and an audit entry", arguments: TestEngine.available)
    func analystSignIn(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            let response = try await browser.signIn("u.analista.credito")
            #expect(response.status == .seeOther)
            #expect(response.location == "/")
            let session = try #require(browser.cookies["cartera_session"])
            #expect(session.count == 43)
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains("Financiera Prueba"))
            #expect(!home.text.contains(#"href="/usuarios""#))
            let denied = try await browser.get("/usuarios")
            #expect(denied.status == .forbidden)
            #expect(denied.text.contains("Acceso denegado"))
            let actions = try await auditActions(database)
            #expect(actions.contains("auth.login:success"))
            #expect(actions.contains("authz.denied:denied"))
            // The session token is not stored: only its hash.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT token_hash FROM web_sessions").all(decodingColumn: "token_hash", as: String.self)
            }
            #expect(stored.count == 1 && !stored.contains(session))
            // Sign-out ends the session for good.
            try await browser.post("/logout")
            #expect(browser.cookies["cartera_session"] == nil)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: "cartera_session=\(session)"])
            #expect(after.status == .seeOther)
            #expect(after.location == "/login")
        }
    }

    @Test("Lockout: the fifth failure locks the account with a growing wait; the right password is refused while locked", arguments: TestEngine.available)
    func lockout(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            for attempt in 1...5 {
                try await browser.get("/login")
                let response = try await browser.post("/login", ["username": "u.gestor.cobranza", "password": "intento equivocado \(attempt)"])
                #expect(response.status == .unauthorized)
                if attempt == 5 { #expect(response.text.contains("Espere 30 segundos")) }
            }
            let locked = try await browser.signIn("u.gestor.cobranza")
            #expect(locked.status == .unauthorized)
            #expect(locked.text.contains("Demasiados intentos fallidos"))
            #expect(browser.cookies["cartera_session"] == nil)

            clock.advance(seconds: 31)
            try await browser.get("/login")
            let sixth = try await browser.post("/login", ["username": "u.gestor.cobranza", "password": "intento equivocado 6"])
            #expect(sixth.text.contains("Espere 1 minuto"))

            clock.advance(seconds: 61)
            let ok = try await browser.signIn("u.gestor.cobranza")
            #expect(ok.status == .seeOther)
            let actions = try await auditActions(database)
            #expect(actions.filter { $0 == "auth.login:failure" }.count == 6)
            #expect(actions.contains("auth.login:denied"))
        }
    }

    @Test("Administrator: enrolment is mandatory, then sign-in asks for the code; replayed codes and used recovery codes fail", arguments: TestEngine.available)
    func secondFactor(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            let first = try await browser.signIn("u.administrador")
            #expect(first.location == "/cuenta/segundo-factor")
            // Until enrolled, every other page leads back to enrolment.
            #expect(try await browser.get("/usuarios").location == "/cuenta/segundo-factor")
            let enrol = try await browser.get("/cuenta/segundo-factor")
            #expect(enrol.status == .ok)
            #expect(enrol.text.contains("<svg"))
            let secret = try #require(Authenticator.secret(fromPage: enrol.text))
            let wrong = try await browser.post("/cuenta/segundo-factor", ["code": "000000"])
            #expect(wrong.status == .unprocessableContent)
            let usedCode = Authenticator.code(secret: secret, at: clock.read().date)
            let confirmed = try await browser.post("/cuenta/segundo-factor", ["code": usedCode])
            #expect(confirmed.status == .ok)
            let codes = confirmed.text.components(separatedBy: "<li><code>").dropFirst().map { String($0.prefix(19)) }
            #expect(codes.count == 10)
            #expect(try await browser.get("/usuarios").status == .ok)
            try await browser.post("/logout")

            // Second sign-in: password, then code. The code just used is refused (replay).
            clock.advance(seconds: 5)
            let password = try await browser.signIn("u.administrador")
            #expect(password.location == "/login/codigo")
            #expect(try await browser.get("/usuarios").location == "/login/codigo")
            try await browser.get("/login/codigo")
            let replay = try await browser.post("/login/codigo", ["code": usedCode])
            #expect(replay.status == .unauthorized)
            clock.advance(seconds: 30)
            let good = try await browser.post("/login/codigo", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            #expect(good.location == "/")
            #expect(try await browser.get("/usuarios").status == .ok)
            try await browser.post("/logout")

            // A recovery code works once.
            for expected in [HTTPResponse.Status.seeOther, .unauthorized] {
                try await browser.signIn("u.administrador")
                try await browser.get("/login/codigo")
                let recovery = try await browser.post("/login/codigo", ["code": codes[0].lowercased()])
                #expect(recovery.status == expected)
                try await browser.post("/logout")
            }
            let actions = try await auditActions(database)
            #expect(actions.contains("mfa.enrol:success"))
            #expect(actions.contains("mfa.enrol:failure"))
            #expect(actions.contains("auth.mfa:failure"))
            #expect(actions.contains("auth.logout:success"))
            // The TOTP secret is stored encrypted.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT totp_secret FROM users WHERE username = 'u.administrador'").first(decodingColumn: "totp_secret", as: String.self)
            }
            #expect(stored != nil && !(stored ?? "").contains(secret))
        }
    }

    @Test("Changing the authenticator of an enrolled user asks for the password and ends the other sessions", arguments: TestEngine.available)
    func reEnrolment(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.signIn("u.oficial.cumplimiento")
            var secret = try #require(Authenticator.secret(fromPage: try await browser.get("/cuenta/segundo-factor").text))
            try await browser.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            // A second browser signs in with password and code.
            let other = TestBrowser(client)
            try await other.signIn("u.oficial.cumplimiento")
            try await other.get("/login/codigo")
            #expect(try await other.post("/login/codigo", ["code": Authenticator.code(secret: secret, at: clock.read().date.addingTimeInterval(30))]).location == "/")
            // The first browser moves to a new phone: the page now asks for the password.
            let page = try await browser.get("/cuenta/segundo-factor")
            #expect(page.text.contains(#"name="password""#))
            secret = try #require(Authenticator.secret(fromPage: page.text))
            let code = Authenticator.code(secret: secret, at: clock.read().date)
            #expect(try await browser.post("/cuenta/segundo-factor", ["code": code]).status == .unprocessableContent)
            #expect(try await browser.post("/cuenta/segundo-factor", ["code": code, "password": TestStaff.password]).status == .ok)
            #expect(try await other.get("/").location == "/login")
            #expect(try await browser.get("/").status == .ok)
        }
    }

    @Test("Sessions end after the idle limit and after the absolute limit", arguments: TestEngine.available)
    func expiry(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.signIn("u.auditor")
            clock.advance(seconds: 29 * 60)
            #expect(try await browser.get("/").status == .ok)
            clock.advance(seconds: 29 * 60)
            #expect(try await browser.get("/").status == .ok)  // still active: each request refreshes the idle limit
            clock.advance(seconds: 31 * 60)
            let idle = try await browser.get("/")
            #expect(idle.location == "/login")
            #expect(browser.cookies["cartera_session"] == nil)

            try await browser.signIn("u.auditor")
            for _ in 0..<25 {
                clock.advance(seconds: 29 * 60)
                if try await browser.get("/").status != .ok { break }
            }
            // 12 hours after sign-in the session is over however active it was.
            #expect(browser.cookies["cartera_session"] == nil)
        }
    }
}

@Suite("Back office: guessing limits")
struct SignInGuessingTests {
    @Test("Second-factor guesses have their own count: signing in again with the password does not reset it", arguments: TestEngine.available)
    func secondFactorGuessing(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.signIn("u.administrador")
            let enrol = try await browser.get("/cuenta/segundo-factor")
            let secret = try #require(Authenticator.secret(fromPage: enrol.text))
            try await browser.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            try await browser.post("/logout")
            clock.advance(seconds: 60)
            let right = Authenticator.code(secret: secret, at: clock.read().date)
            let wrong = right == "000000" ? "111111" : "000000"
            var lastPage = ""
            for round in 0..<2 {
                #expect(try await browser.signIn("u.administrador").location == "/login/codigo", "round \(round)")
                for _ in 0..<(round == 0 ? 4 : 1) {
                    try await browser.get("/login/codigo")
                    lastPage = try await browser.post("/login/codigo", ["code": wrong]).text
                }
            }
            // The fifth wrong code locked the second factor and ended the waiting session.
            #expect(lastPage.contains("Demasiados intentos fallidos"))
            #expect(try await browser.get("/login/codigo").location == "/login")
            #expect(try await browser.signIn("u.administrador").location == "/login/codigo")
            try await browser.get("/login/codigo")
            let refused = try await browser.post("/login/codigo", ["code": right])
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains("Demasiados intentos fallidos"))
        }
    }

    @Test("A burst of parallel guesses is counted exactly: five are checked, the rest refused unchecked", arguments: TestEngine.available)
    func parallelBurst(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let browser = TestBrowser(client)
            try await browser.get("/login")
            let csrf = try #require(browser.csrf)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for attempt in 0..<12 {
                    group.addTask {
                        try await client.execute(
                            uri: "/login", method: .post,
                            headers: [.cookie: "cartera_signin=\(csrf)", .contentType: "application/x-www-form-urlencoded"],
                            body: ByteBuffer(string: "csrf=\(csrf)&username=u.auditor&password=intento+\(attempt)+equivocado")
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .unauthorized })
            let outcomes = try await database.withConnection { db in
                try await db.raw("SELECT outcome FROM audit_log WHERE action = 'auth.login'").all(decodingColumn: "outcome", as: String.self)
            }
            #expect(outcomes.filter { $0 == "failure" }.count == 5)
            #expect(outcomes.filter { $0 == "denied" }.count == 7)
            #expect(try await browser.signIn("u.auditor").status == .unauthorized)
        }
    }
}
