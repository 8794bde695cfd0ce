import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import Store

/// Registers back-office routes, each with its `Access` rule, and enforces the rule before the handler runs:
/// the session from the cookie, the sign-in step it is at, the role's permission, and the CSRF token of every `POST`.
///
/// Refusals: no session → `303` to `/login`; a session still signing in → `303` to its next step; a role without the
/// permission → `403` page and an `authz.denied` audit entry; a `POST` without the right CSRF token → `403` page.
struct WebRouter {
    let router: Router<AppRequestContext>
    let gate: WebGate
    let registry: Registry

    var pages: WebPages { gate.pages }
    var cookies: CookiePolicy { gate.cookies }
    var sessions: WebSessions { gate.sessions }

    /// The routes registered so far (read by tests and by `cartera routes`).
    final class Registry: Sendable {
        private let routes = NIOLockedValueBox<[WebRouteDescription]>([])
        func add(_ route: WebRouteDescription) { routes.withLockedValue { $0.append(route) } }
        var all: [WebRouteDescription] { routes.withLockedValue { $0 } }
    }

    typealias Handler = @Sendable (WebRequest) async throws -> Response

    func get(_ path: RouterPath, _ access: Access, _ handler: @escaping Handler) {
        on(path, method: .get, access, handler)
    }

    func post(_ path: RouterPath, _ access: Access, _ handler: @escaping Handler) {
        on(path, method: .post, access, handler)
    }

    func on(_ path: RouterPath, method: HTTPRequest.Method, _ access: Access, _ handler: @escaping Handler) {
        registry.add(WebRouteDescription(method: method.rawValue, path: path.description, access: access))
        let gate = gate
        router.on(path, method: method) { request, context -> Response in
            try await gate.handle(request, context, access: access, handler)
        }
    }
}

/// The checks `WebRouter` runs before every back-office handler.
struct WebGate: Sendable {
    let sessions: WebSessions
    let pages: WebPages
    let audit: AuditWriter
    let cookies: CookiePolicy
    let clock: @Sendable () -> Timestamp

    typealias Handler = WebRouter.Handler

    /// Form fields that are not free text: secrets and one-time codes, never stored as typed.
    /// Fields never checked for card numbers: secrets, the domiciliación's authorisation (Cartera's own text, sent back
    /// to be compared with the text Cartera writes again; a loan id in it may look like a card number), and a bank
    /// account (a CLABE passes the card check one time in ten).
    static let notFreeText: Set<String> = ["csrf", "password", "new_password", "confirmation", "code", "autorizacion", "cuenta"]

    func handle(_ request: Request, _ context: AppRequestContext, access: Access, _ handler: Handler) async throws -> Response {
        let token = request.cookies[CookiePolicy.sessionCookie]?.value
        let session = try await token.asyncMap { try await sessions.find(token: $0) } ?? nil
        var web = WebRequest(request: request, context: context, session: session, form: [:])
        if let refusal = try await refusal(for: access, web: web, hadToken: token != nil) { return refusal }
        if request.method == .post {
            var form: [String: String]
            var files: [String: UploadedFile] = [:]
            // Files only from signed-in staff (never to the sign-in forms).
            if session?.user != nil, let boundary = MultipartForm.boundary(request.headers[.contentType]) {
                // A form with a file (a bank statement): up to 25 MB, text fields as in any form.
                let body = try await request.body.collect(upTo: MultipartForm.limit)
                guard let parsed = MultipartForm.parse(body, boundary: boundary) else {
                    return pages.message(
                        title: "Envío incompleto", message: "El archivo no llegó completo. Vuelva a cargar la página y envíelo de nuevo.", web: web,
                        status: .badRequest, next: ("/", "Ir al inicio")
                    )
                }
                (form, files) = parsed
            } else {
                let body = try await request.body.collect(upTo: 64 * 1024)
                form = FormDecoding.parse(String(buffer: body))
            }
            let expected = session?.csrfToken ?? request.cookies[CookiePolicy.signInCookie]?.value ?? ""
            guard !expected.isEmpty, ConstantTime.equals(form["csrf"] ?? "", expected) else {
                try await record(web, action: "authz.csrf", outcome: .denied)
                return pages.message(
                    title: "Formulario caducado",
                    message: "El formulario caducó o no se envió desde esta página. Vuelva a cargar la página e inténtelo de nuevo.",
                    web: web, status: .forbidden, next: session == nil ? ("/login", "Ir a iniciar sesión") : ("/", "Ir al inicio")
                )
            }
            web = WebRequest(request: request, context: context, session: session, form: form, files: files)
            // No card numbers, in any free-text field of any form (secrets and codes are not free text).
            if form.contains(where: { !Self.notFreeText.contains($0.key) && CardNumberDetector.containsCardNumber($0.value) }) {
                try await record(web, action: "input.card_number", outcome: .denied, object: "\(request.method.rawValue) \(request.uri.path)")
                return pages.message(
                    title: "Dato no permitido", message: CardNumberDetector.Rejected().message, web: web, status: .unprocessableContent,
                    next: session == nil ? ("/login", "Ir a iniciar sesión") : ("/", "Ir al inicio")
                )
            }
        }
        return try await handler(web)
    }

    /// The response that refuses `web` under `access`, or nil when the request may proceed.
    func refusal(for access: Access, web: WebRequest, hadToken: Bool) async throws -> Response? {
        let session = web.session
        let clear = hadToken && session == nil ? [cookies.clearSession()] : []
        switch access {
        case .anyone:
            return nil
        case .awaitingSecondFactor:
            if session?.state == .awaitingSecondFactor { return nil }
        case .enrolment:
            if session?.state == .enrolmentRequired || session?.state == .active { return nil }
        case .passwordChange:
            if session?.state == .passwordChangeRequired || session?.state == .active { return nil }
        case .signedIn:
            if session?.state == .active { return nil }
        case .permission(let permission):
            if let session, session.state == .active {
                if session.user.role.allows(permission) { return nil }
                try await record(web, action: "authz.denied", outcome: .denied, object: "\(web.request.method.rawValue) \(web.request.uri.path)")
                return pages.message(
                    title: "Acceso denegado",
                    message: "Su rol (\(session.user.role.displayName)) no tiene permiso para esta página. Si lo necesita, pídalo a un administrador.",
                    web: web, status: .forbidden, next: ("/", "Ir al inicio")
                )
            }
        }
        switch session?.state {
        case .awaitingSecondFactor: return WebPages.redirect(to: "/login/codigo")
        case .enrolmentRequired: return WebPages.redirect(to: "/cuenta/segundo-factor")
        case .passwordChangeRequired: return WebPages.redirect(to: "/cuenta/contrasena")
        case .active: return WebPages.redirect(to: "/")
        case nil: return WebPages.redirect(to: "/login", cookies: clear)
        }
    }

    func record(_ web: WebRequest, action: String, outcome: AuditEntry.Outcome, object: String = "") async throws {
        let actor = web.actor
        try await audit.append(
            .draft(
                at: clock(), actorKind: actor.kind, actorID: actor.id, ipAddress: actor.ipAddress, action: action,
                objectType: object.isEmpty ? "" : "route", objectID: String(object.prefix(200)), outcome: outcome, requestID: actor.requestID
            )
        )
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum FormDecoding {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
