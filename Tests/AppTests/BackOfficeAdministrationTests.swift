@testable import App
import CarteraTestSupport
import CarteraTestSupport
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

@Suite("Back office: administration pages, audit viewer, server errors")
struct BackOfficeAdministrationTests {
    /// Signs in as the administrator, enrolling the second factor on the way.
    func signInAsAdministrator(_ browser: TestBrowser, clock: TestClock) async throws {
        try await browser.signIn("u.administrador")
        let enrol = try await browser.get("/cuenta/segundo-factor")
        let secret = try #require(Authenticator.secret(fromPage: enrol.text))
        let confirmed = try await browser.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
        #expect(confirmed.status == .ok)
    }

    @Test("Users: create with the password policy, deactivate (ends sessions), unlock; each step audited", arguments: TestEngine.available)
    func users(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let admin = TestBrowser(client)
            try await signInAsAdministrator(admin, clock: clock)
            try await admin.get("/usuarios")
            let weak = try await admin.post("/usuarios", ["username": "nueva.analista", "display_name": "Ana", "role": "analista_credito", "password": "corta"])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.text.contains("al menos 12 caracteres"))
            #expect(weak.text.contains(#"value="nueva.analista""#))
            let created = try await admin.post(
                "/usuarios", ["username": "nueva.analista", "display_name": "Ana <b>", "role": "analista_credito", "password": "una frase bastante larga"]
            )
            #expect(created.location == "/usuarios?aviso=creado-simple")
            let list = try await admin.get("/usuarios?aviso=creado-simple")
            #expect(list.text.contains("Usuario creado."))
            #expect(list.text.contains("Ana &lt;b&gt;"))

            // The new user signs in; the administrator deactivates them; their session ends at once.
            // The administrator chose the password: Ana must replace it before anything else.
            let ana = TestBrowser(client)
            #expect(try await ana.signIn("nueva.analista", password: "una frase bastante larga").location == "/cuenta/contrasena")
            #expect(try await ana.get("/").location == "/cuenta/contrasena")
            try await ana.get("/cuenta/contrasena")
            let mismatch = try await ana.post(
                "/cuenta/contrasena", ["password": "una frase bastante larga", "new_password": "mi propia frase secreta", "confirmation": "otra cosa distinta"]
            )
            #expect(mismatch.status == .unprocessableContent)
            let same = try await ana.post(
                "/cuenta/contrasena", ["password": "una frase bastante larga", "new_password": "una frase bastante larga", "confirmation": "una frase bastante larga"]
            )
            #expect(same.text.contains("distinta de la actual"))
            let changed = try await ana.post(
                "/cuenta/contrasena", ["password": "una frase bastante larga", "new_password": "mi propia frase secreta", "confirmation": "mi propia frase secreta"]
            )
            #expect(changed.location == "/")
            #expect(try await ana.get("/").status == .ok)
            let id = try await database.withConnection { db in
                try await db.raw("SELECT id FROM users WHERE username = 'nueva.analista'").first(decodingColumn: "id", as: String.self)
            }!
            try await admin.get("/usuarios")
            #expect(try await admin.post("/usuarios/\(id)/desactivar").location == "/usuarios?aviso=desactivado")
            #expect(try await ana.get("/").location == "/login")
            #expect(try await ana.signIn("nueva.analista", password: "mi propia frase secreta").status == .unauthorized)

            // An administrator cannot deactivate themselves.
            let selfID = try await database.withConnection { db in
                try await db.raw("SELECT id FROM users WHERE username = 'u.administrador'").first(decodingColumn: "id", as: String.self)
            }!
            try await admin.get("/usuarios")
            let refused = try await admin.post("/usuarios/\(selfID)/desactivar")
            #expect(refused.status == .unprocessableContent)

            // Lock an account, see it on the page, unlock it.
            for attempt in 1...5 { try await TestBrowser(client).signIn("u.auditor", password: "mala \(attempt) frase") }
            let locked = try await admin.get("/usuarios")
            #expect(locked.text.contains("bloqueado"))
            let auditorID = try await database.withConnection { db in
                try await db.raw("SELECT id FROM users WHERE username = 'u.auditor'").first(decodingColumn: "id", as: String.self)
            }!
            try await admin.post("/usuarios/\(auditorID)/desbloquear")
            #expect(try await TestBrowser(client).signIn("u.auditor").location == "/")

            let actions = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE actor_id = \(bind: selfID)").all(decodingColumn: "action", as: String.self)
            }
            #expect(actions.contains("user.create") && actions.contains("user.deactivate") && actions.contains("user.unlock"))
            let anaActions = try await database.withConnection { db in
                try await db.raw("SELECT action, outcome FROM audit_log WHERE actor_id = \(bind: id)").all().map {
                    "\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "outcome", as: String.self))"
                }
            }
            #expect(anaActions.contains("user.password_change:success") && anaActions.contains("auth.login:success"))
        }
    }

    @Test("API clients: the secret is shown once; deactivation stops its tokens within seconds", arguments: TestEngine.available)
    func apiClients(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let admin = TestBrowser(client)
            try await signInAsAdministrator(admin, clock: clock)
            try await admin.get("/clientes-api")
            #expect(try await admin.post("/clientes-api", ["name": "Sin alcances"]).status == .unprocessableContent)
            let created = try await admin.post("/clientes-api", ["name": "Conciliador", "scope_audit:read": "1", "scope_loans:read": "1"])
            #expect(created.status == .ok)
            let page = created.text
            let id = try #require(page.components(separatedBy: #"<code id="client-id">"#).dropFirst().first?.prefix { $0 != "<" })
            let secret = try #require(page.components(separatedBy: #"<code id="client-secret">"#).dropFirst().first?.prefix { $0 != "<" })
            #expect(secret.count == 43)
            #expect(!(try await admin.get("/clientes-api").text.contains(String(secret))))

            let form = "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)"
            let token = try await client.execute(
                uri: "/oauth/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            )
            #expect(token.status == .ok)
            let access = try #require(token.text.components(separatedBy: #""access_token":""#).dropFirst().first?.prefix { $0 != "\"" })
            let bearer: HTTPFields = [.authorization: "Bearer \(access)"]
            #expect(try await client.execute(uri: "/api/v1/audit/head", method: .get, headers: bearer).status == .ok)

            try await admin.get("/clientes-api")
            #expect(try await admin.post("/clientes-api/\(id)/desactivar").location == "/clientes-api?aviso=desactivado")
            clock.advance(seconds: ClientStatusCache.maximumAgeSeconds + 1)
            #expect(try await client.execute(uri: "/api/v1/audit/head", method: .get, headers: bearer).status == .unauthorized)
            let again = try await client.execute(
                uri: "/oauth/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            )
            #expect(again.status == .unauthorized)
        }
    }

    @Test("Audit viewer: filters by action, outcome, actor and date, newest first", arguments: TestEngine.available)
    func auditViewer(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            try await TestBrowser(client).signIn("u.gestor.cobranza", password: "no es la buena frase")
            let auditor = TestBrowser(client)
            try await auditor.signIn("u.auditor")
            let failures = try await auditor.get("/auditoria?accion=auth&resultado=failure")
            #expect(failures.status == .ok)
            let rows = failures.text.components(separatedBy: #"<tr class=""#).dropFirst()
            #expect(rows.count == 1)
            #expect(rows.first?.contains("u.gestor.cobranza") == true)
            let byActor = try await auditor.get("/auditoria?actor=u.auditor")
            #expect(byActor.text.components(separatedBy: #"<tr class="success""#).count - 1 == 1)
            #expect(byActor.text.contains("auth.login"))
            let today = String(clock.read().text.prefix(10))
            #expect(try await auditor.get("/auditoria?desde=\(today)&hasta=\(today)").text.contains("user.create"))
            #expect(!(try await auditor.get("/auditoria?desde=2000-01-01&hasta=2000-01-02").text.contains("user.create")))
            let bad = try await auditor.get("/auditoria?desde=ayer")
            #expect(bad.text.contains("use el formato AAAA-MM-DD"))
        }
    }

    @Test("A server error is answered without details and written to the audit log")
    func serverErrorsAreAudited() async throws {
        struct Boom: Error {}
        try await withTestDatabase { database in
            let router = Router(context: AppRequestContext.self)
            router.middlewares.add(RequestIDMiddleware())
            router.middlewares.add(ErrorMiddleware(audit: AuditWriter(database: database), pages: WebPages(), clock: { .now }))
            router.get("/boom") { _, _ -> String in throw Boom() }
            router.get("/unreadable") { _, _ -> String in throw FieldCipher.Unreadable(detail: "llave «k9» ausente") }
            try await Application(router: router).test(.router) { client in
                let json = try await client.execute(uri: "/boom", method: .get)
                #expect(json.status == .internalServerError)
                #expect(json.text.contains("internal_error"))
                let html = try await client.execute(uri: "/boom", method: .get, headers: [.accept: "text/html"])
                #expect(html.status == .internalServerError)
                #expect(html.text.contains("Ocurrió un error interno"))
                #expect(!html.text.contains("Boom"))
                let unreadable = try await client.execute(uri: "/unreadable", method: .get)
                #expect(unreadable.status == .internalServerError)
                #expect(!unreadable.text.contains("k9"))
            }
            let entries = try await database.withConnection { db in
                try await db.raw("SELECT action, outcome, object_id FROM audit_log").all().map {
                    "\(try $0.decode(column: "action", as: String.self)) \(try $0.decode(column: "outcome", as: String.self)) \(try $0.decode(column: "object_id", as: String.self))"
                }
            }
            #expect(entries == ["server.error error GET /boom", "server.error error GET /boom", "server.error error GET /unreadable"])
        }
    }
}
