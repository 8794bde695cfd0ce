@testable import App
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

/// Every route × every role (and no session at all), against a table written here independently of the code.
@Suite("Route × role matrix")
struct RouteMatrixTests {
    static let everyone = Set(Role.allCases)
    static let staff = Set(Role.allCases.filter { $0 != .acreditado })

    /// Who may use each back-office route. `nil`: anyone, even without a session.
    static let expected: [String: Set<Role>?] = [
        "GET /login": nil,
        "POST /login": nil,
        "POST /logout": nil,
        "GET /static/cartera.css": nil,
        "GET /favicon.ico": nil,
        "GET /login/codigo": [],  // only a session awaiting its second factor (none of these)
        "POST /login/codigo": [],
        "GET /": everyone,  // the borrower is sent on to the portal
        "GET /portal": [.acreditado],
        "GET /cuenta": everyone,
        "GET /cuenta/segundo-factor": everyone,
        "POST /cuenta/segundo-factor": everyone,
        "GET /cuenta/contrasena": everyone,
        "POST /cuenta/contrasena": everyone,
        "GET /usuarios": [.administrador],
        "POST /usuarios": [.administrador],
        "POST /usuarios/{id}/desactivar": [.administrador],
        "POST /usuarios/{id}/activar": [.administrador],
        "POST /usuarios/{id}/restablecer-segundo-factor": [.administrador],
        "POST /usuarios/{id}/desbloquear": [.administrador],
        "GET /clientes-api": [.administrador],
        "POST /clientes-api": [.administrador],
        "POST /clientes-api/{id}/desactivar": [.administrador],
        "GET /auditoria": [.administrador, .oficialCumplimiento, .auditor],
        "GET /clientes": staff,
        "GET /productos": staff,
        "GET /productos/nuevo": [.administrador],
        "POST /productos": [.administrador],
        "GET /cotizador": staff,
        "GET /clientes/nuevo": [.administrador, .analistaCredito],
        "POST /clientes": [.administrador, .analistaCredito],
        "GET /clientes/{id}": staff,
        "GET /clientes/{id}/expediente": staff,
        "POST /clientes/{id}/expediente": [.administrador, .analistaCredito],
        "POST /clientes/{id}/expediente/actualizacion": [.administrador, .analistaCredito],
        "POST /clientes/{id}/expediente/{document}/cotejo": [.administrador, .analistaCredito],
        "POST /clientes/{id}/expediente/{document}/rechazo": [.administrador, .analistaCredito],
        // Identity documents: not for collections.
        "GET /clientes/{id}/expediente/{document}": [.administrador, .analistaCredito, .oficialCumplimiento, .auditor],
        "GET /creditos": staff,
        "GET /creditos/nuevo": [.administrador, .analistaCredito],
        "POST /creditos": [.administrador, .analistaCredito],
        "GET /creditos/{id}": staff,
        "POST /creditos/{id}/aprobar": [.administrador],
        "POST /creditos/{id}/cancelar": [.administrador, .analistaCredito],
        "POST /creditos/{id}/disponer": [.administrador],
        "POST /creditos/{id}/spei": [.administrador],
        "POST /creditos/{id}/pagos": [.administrador, .gestorCobranza],
        "POST /creditos/{id}/castigar": [.administrador],
        "POST /creditos/{id}/reestructurar": [.administrador],
        "POST /creditos/{id}/pagos/{pago}/cancelar": [.administrador],
        "GET /creditos/{id}/estado-de-cuenta": staff,
        "GET /portal/creditos/{id}": [.acreditado],
        "GET /portal/creditos/{id}/estado-de-cuenta": [.acreditado],
        "POST /portal/creditos/{id}/pagar": [.acreditado],
        "GET /portal/pagos/{id}": [.acreditado],
        "GET /pagos/regreso/{id}": nil,  // back from a gateway's card page, where browsers send no Strict cookie
        "GET /pagos-en-linea": staff,
        "GET /pagos-en-linea/{id}": staff,
        "POST /pagos-en-linea/{id}/reembolsar": [.administrador],
        "GET /avisos-pasarelas": staff,
        "GET /domiciliaciones": staff,
        "GET /domiciliaciones/{id}": staff,
        "POST /domiciliaciones/{id}/cancelar": [.administrador, .gestorCobranza],
        "POST /domiciliaciones/{id}/cobros/{cobro}/revisado": [.administrador, .gestorCobranza],
        "GET /ajustes/domiciliacion": [.administrador],
        "POST /ajustes/domiciliacion": [.administrador],
        "POST /portal/creditos/{id}/domiciliacion/cancelar": [.acreditado],
        "GET /portal/creditos/{id}/domiciliacion": [.acreditado],
        "POST /portal/creditos/{id}/domiciliacion": [.acreditado],
        "GET /domiciliacion/regreso/{id}": nil,  // back from a gateway's card page, where browsers send no Strict cookie
        "GET /conciliacion": [.administrador, .gestorCobranza],
        "POST /conciliacion/ejecutar": [.administrador, .gestorCobranza],
        "POST /conciliacion/{id}/aplicar": [.administrador, .gestorCobranza],
        "POST /conciliacion/{id}/suspenso": [.administrador, .gestorCobranza],
        "POST /conciliacion/{id}/deshacer": [.administrador],
        "GET /spei": [.administrador, .gestorCobranza],
        "GET /cobranza": staff,
        "GET /cobranza/morosidad.csv": staff,
        "GET /cobranza/mensajes": staff,
        "GET /cobranza/gestion": staff,
        "GET /cobranza/cosechas": staff,
        "POST /cobranza/creditos/{id}/contactos": [.administrador, .gestorCobranza],
        "GET /cobranza/creditos/{id}": staff,
        "POST /cobranza/creditos/{id}/consentimiento": [.administrador, .gestorCobranza],
        "POST /cobranza/creditos/{id}/pausas": [.administrador, .gestorCobranza],
        "POST /cobranza/creditos/{id}/pausas/{hold}/terminar": [.administrador, .gestorCobranza],
        "POST /cobranza/creditos/{id}/promesas": [.administrador, .gestorCobranza],
        "POST /cobranza/creditos/{id}/gestor": [.administrador],
        "POST /cobranza/gestion/repartir": [.administrador],
        "GET /cobranza/configuracion": [.administrador],
        "POST /cobranza/configuracion/tramos": [.administrador],
        "POST /cobranza/configuracion/politicas": [.administrador],
        "GET /cobranza/plantillas": [.administrador],
        "GET /cobranza/plantillas/{key}": [.administrador],
        "POST /cobranza/plantillas/{key}": [.administrador],
        "POST /spei/abonos/{id}/aplicar": [.administrador, .gestorCobranza],
        "POST /spei/ordenes/{id}/reenviar": [.administrador],
        "GET /estados-bancarios": [.administrador, .gestorCobranza],
        "POST /estados-bancarios": [.administrador, .gestorCobranza],
        "GET /cumplimiento": [.oficialCumplimiento, .auditor],
        "POST /cumplimiento/coincidencias/{id}": [.oficialCumplimiento],
        "GET /cumplimiento/casos/{id}": [.oficialCumplimiento, .auditor],
        "GET /cumplimiento/vinculos/{id}": [.oficialCumplimiento, .auditor],
        "GET /cumplimiento/reportes": [.oficialCumplimiento, .auditor],
        "POST /cumplimiento/casos/{id}": [.oficialCumplimiento],
        "GET /pasarelas": [.administrador],
        "GET /pasarelas/{provider}": [.administrador],
        "POST /pasarelas/{provider}": [.administrador],
        "GET /**": everyone,
        "POST /**": everyone,
        "PUT /**": everyone,
        "PATCH /**": everyone,
        "DELETE /**": everyone,
    ]

    /// Routes outside the back office: public probes, the token endpoint, gateway webhooks (each provider proves its
    /// deliveries), and the bearer-protected API.
    static let publicRoutes: Set<String> = [
        "GET /health", "GET /ready", "GET /metrics", "POST /oauth/token", "POST /webhooks/{provider}",
        // STP's callbacks: unsigned, taken only from the addresses configured for them (CARTERA_STP_CALLBACK_ALLOW).
        "POST /webhooks/stp/abono", "POST /webhooks/stp/estado", "POST /webhooks/twilio/estado", "POST /webhooks/twilio/entrantes", "GET /webhooks/whatsapp",
        "POST /webhooks/whatsapp",
    ]
    static let apiPrefix = "/api/v1/"

    @Test("Every registered route has a rule, and the rules are the table's")
    func everyRouteHasARule() async throws {
        try await withTestDatabase { database in
            let keys = KeyRing.generate()
            let tokens = try await TokenService.load(database: database, keys: LiveKeys(keys))
            let built = buildRouter(
                configuration: AppConfiguration(databaseURL: database.url), database: database, keys: LiveKeys(keys), tokens: tokens, clock: { .now }
            )
            let (router, registry) = (built.router, built.webRoutes)
            let web = Set(registry.all.map { "\($0.method) \($0.path)" })
            #expect(web == Set(Self.expected.keys))
            for route in router.routes {
                let key = "\(route.method.rawValue) \(route.path)"
                #expect(web.contains(key) || Self.publicRoutes.contains(key) || route.path.description.hasPrefix(Self.apiPrefix), "route without a rule: \(key)")
            }
            // The declared access of each route agrees with the table.
            for route in registry.all {
                let allowed = Self.expected["\(route.method) \(route.path)"] ?? nil
                switch route.access {
                case .anyone: #expect(allowed == nil, "\(route.path)")
                case .awaitingSecondFactor: #expect(allowed == [], "\(route.path)")
                case .enrolment, .passwordChange, .signedIn: #expect(allowed == Self.everyone, "\(route.path)")
                case .permission(let permission):
                    #expect(Set(Role.allCases.filter { $0.allows(permission) }) == allowed, "\(route.path)")
                }
            }
        }
    }

    @Test("Requests: without a session only public routes answer; each role gets exactly its routes", arguments: TestEngine.available)
    func requests(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let staff = try await TestStaff.seed(database)
            let sessions = WebSessions(database: database, keys: TestKeys.live, clock: { .now })
            var cookies: [Role: (cookie: String, csrf: String)] = [:]
            for role in Role.allCases {
                let token = try await database.transaction { db in
                    try await sessions.start(userID: staff.ids[role]!, state: .active, ipAddress: "127.0.0.1", userAgent: "matrix", on: db)
                }
                let session = try #require(try await sessions.find(token: token))
                cookies[role] = ("cartera_session=\(token)", session.csrfToken)
            }
            let sessionCookies = cookies
            let app = try await makeApp(database)
            try await app.test(.router) { client in
                // Sign-out last: it ends the session it is sent with.
                for (route, allowed) in Self.expected.sorted(by: { ($0.key == "POST /logout" ? "~" : $0.key) < ($1.key == "POST /logout" ? "~" : $1.key) }) {
                    let parts = route.split(separator: " ", maxSplits: 1)
                    let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                    let path = parts[1].replacingOccurrences(of: "{id}", with: "no-existe").replacingOccurrences(of: "**", with: "ruta/inexistente")

                    // No session.
                    let anonymous = try await client.execute(uri: path, method: method, headers: [.accept: "text/html"])
                    if allowed == nil {
                        // Reached without a session (a POST may still be refused for its missing CSRF token).
                        #expect(anonymous.headers[.location] != "/login" || route == "POST /logout", "\(route) anonymous")
                    } else {
                        #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login", "\(route) anonymous: \(anonymous.status)")
                    }

                    for role in Role.allCases {
                        let (cookie, csrf) = sessionCookies[role]!
                        let body = method == .get ? nil : ByteBuffer(string: "csrf=\(csrf)")
                        let response = try await client.execute(
                            uri: path, method: method,
                            headers: [.accept: "text/html", .cookie: cookie, .contentType: "application/x-www-form-urlencoded"], body: body
                        )
                        let label = "\(route) as \(role.rawValue): \(response.status)"
                        #expect(response.headers[.location] != "/login" || route == "POST /logout", "\(label)")
                        switch allowed {
                        case nil:
                            break
                        case let roles? where roles.isEmpty:
                            #expect(response.status == .seeOther && response.headers[.location] == "/", "\(label)")
                        case let roles?:
                            if roles.contains(role) {
                                #expect(response.status != .forbidden, "\(label)")
                            } else {
                                #expect(response.status == .forbidden, "\(label)")
                            }
                        }
                    }
                }
                // Public probes answer without a session; the API wants a bearer token.
                #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/oauth/token", method: .post).status == .badRequest)
                for path in ["/api/v1/token-info", "/api/v1/audit/head", "/api/v1/anything"] {
                    #expect(try await client.execute(uri: path, method: .get, headers: [.cookie: sessionCookies[.administrador]!.cookie]).status == .unauthorized)
                }
                // Every refusal of a signed-in user was audited.
                let denials = try await database.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'authz.denied'").first(decodingColumn: "n", as: Int.self)
                }
                let expectedDenials = Self.expected.values.reduce(0) { sum, allowed in
                    guard let allowed, !allowed.isEmpty else { return sum }
                    return sum + Role.allCases.filter { !allowed.contains($0) }.count
                }
                #expect(denials == expectedDenials)
            }
        }
    }
}
