import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import SQLKit
import Store

/// The signed-in user's own pages: the dashboard, the account page, second-factor enrolment and the borrower's portal.
struct AccountRoutes {
    let web: WebRouter
    let database: Database
    let enrolment: SecondFactorEnrolment
    let administration: Administration

    func add() {
        let administration = administration
        let clock = web.gate.clock
        let database = database
        let enrolment = enrolment
        let pages = web.pages
        let cookies = web.cookies
        let sessions = web.sessions

        web.get("/", .signedIn) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            guard user.role.allows(.useBackOffice) else { return WebPages.redirect(to: "/portal") }
            let lender = try await database.withConnection { db in
                try await db.raw("SELECT short_name FROM lenders WHERE id = \(bind: user.lenderID)").first(decodingColumn: "short_name", as: String.self)
            } ?? ""
            let tiles: [[String: Any]] = Self.tiles.filter { user.role.allows($0.permission) }.map {
                ["href": $0.href, "label": $0.label, "detail": $0.detail]
            }
            return pages.render(
                "dashboard", title: "Inicio", web: request,
                values: ["lender": lender, "tiles": tiles, "mfaAdvice": !user.hasSecondFactor], current: "/"
            )
        }

        web.get("/cuenta", .signedIn) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let remaining = try await enrolment.remainingRecoveryCodes(userID: user.id)
            return pages.render(
                "account", title: "Mi cuenta", web: request,
                values: [
                    "username": user.username, "roleName": user.role.displayName, "hasSecondFactor": user.hasSecondFactor,
                    "recoveryCodes": remaining, "mfaRequired": user.role.requiresMFA,
                ],
                notice: request.query("aviso") == "contrasena" ? "Contraseña cambiada; sus otras sesiones se cerraron." : nil
            )
        }

        web.get("/cuenta/segundo-factor", .enrolment) { request in
            try await enrolPage(request, error: nil)
        }

        web.post("/cuenta/segundo-factor", .enrolment) { request in
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            // Replacing a working second factor (a new phone) asks for the password: a borrowed session is not enough.
            if session.user.hasSecondFactor {
                let hash = try await database.withConnection { db in
                    try await db.raw("SELECT password_hash FROM users WHERE id = \(bind: session.user.id)").first(decodingColumn: "password_hash", as: String.self)
                } ?? ""
                guard await BcryptGate.shared.verify(request.form["password"] ?? "", hash) else {
                    return try await enrolPage(request, error: "La contraseña no es correcta. Escríbala para cambiar de dispositivo.")
                }
            }
            let codes: [String]
            do {
                codes = try await enrolment.confirm(user: session.user, code: request.field("code"), actor: request.actor)
            } catch let refusal as SecondFactorEnrolment.Refusal {
                return try await enrolPage(request, error: refusal.message)
            }
            var setCookies: [String] = []
            let now = clock()
            if session.state == .enrolmentRequired {
                let next: WebSessions.State = session.user.passwordChangeRequired ? .passwordChangeRequired : .active
                let token = try await database.transaction { db in
                    if next == .active {
                        try await AuditLog.append(
                            Administration.entry(actor: request.actor, action: "auth.login", objectType: "auth", objectID: "enrolment", at: now, change: ""),
                            on: db
                        )
                    }
                    return try await sessions.advance(session, to: next, ipAddress: request.attempt.ipAddress, userAgent: request.attempt.userAgent, on: db)
                }
                setCookies.append(cookies.session(token))
            } else {
                // A new device: every other session of this user ends.
                try await database.transaction { db in
                    try await db.raw(
                        """
                        UPDATE web_sessions SET ended_at = \(bind: now.text)
                        WHERE user_id = \(bind: session.user.id) AND ended_at IS NULL AND token_hash <> \(bind: session.tokenHash)
                        """
                    ).run()
                }
            }
            var response = pages.render(
                "recovery_codes", title: "Códigos de recuperación", web: WebRequest(request: request.request, context: request.context, session: nil, form: [:]),
                values: ["codes": codes], notice: "Segundo factor activado."
            )
            for cookie in setCookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return response
        }

        web.get("/cuenta/contrasena", .passwordChange) { request in
            passwordPage(request, error: nil)
        }

        web.post("/cuenta/contrasena", .passwordChange) { request in
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            let new = request.form["new_password"] ?? ""
            guard new == request.form["confirmation"] else {
                return passwordPage(request, error: "La contraseña nueva y su confirmación no coinciden.")
            }
            do {
                try await administration.changePassword(
                    userID: session.user.id, current: request.form["password"] ?? "", new: new, keepingSession: session.tokenHash, actor: request.actor
                )
            } catch let refusal as Administration.Refusal {
                return passwordPage(request, error: refusal.message)
            } catch let violation as PasswordPolicy.Violation {
                return passwordPage(request, error: violation.message)
            }
            guard session.state == .passwordChangeRequired else { return WebPages.redirect(to: "/cuenta?aviso=contrasena") }
            let now = clock()
            let token = try await database.transaction { db in
                try await AuditLog.append(
                    Administration.entry(actor: request.actor, action: "auth.login", objectType: "auth", objectID: "password_change", at: now, change: ""),
                    on: db
                )
                return try await sessions.advance(session, to: .active, ipAddress: request.attempt.ipAddress, userAgent: request.attempt.userAgent, on: db)
            }
            return WebPages.redirect(to: "/", cookies: [cookies.session(token)])
        }

        @Sendable func passwordPage(_ request: WebRequest, error: String?) -> Response {
            pages.render(
                "password", title: "Cambiar contraseña", web: request,
                values: ["required": request.session?.state == .passwordChangeRequired],
                error: error, status: error == nil ? .ok : .unprocessableContent
            )
        }

        @Sendable func enrolPage(_ request: WebRequest, error: String?) async throws -> Response {
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            let offer = try await enrolment.offer(for: session.user)
            return pages.render(
                "enrol", title: "Segundo factor de autenticación", web: request,
                values: [
                    "secret": offer.secretForPeople, "uri": offer.uri, "required": session.state == .enrolmentRequired,
                    "qrSVG": QRCodeSVG.render(offer.uri) ?? "", "needsPassword": session.user.hasSecondFactor,
                ],
                error: error, status: error == nil ? .ok : .unprocessableContent
            )
        }
    }

    struct Tile {
        let href: String
        let label: String
        let detail: String
        let permission: Permission
    }

    static let tiles: [Tile] = [
        Tile(href: "/clientes", label: "Clientes", detail: "Búsqueda por RFC, CURP, teléfono o correo; expedientes.", permission: .readClients),
        Tile(href: "/creditos", label: "Créditos", detail: "Solicitudes, aprobaciones, disposiciones, pagos y estados de cuenta.", permission: .readLoans),
        Tile(href: "/usuarios", label: "Usuarios", detail: "Altas, bajas, desbloqueos y segundo factor.", permission: .manageUsers),
        Tile(href: "/clientes-api", label: "Clientes de API", detail: "Integraciones con acceso a /api/v1.", permission: .manageAPIClients),
        Tile(href: "/auditoria", label: "Auditoría", detail: "Bitácora encadenada de accesos y cambios.", permission: .readAudit),
        Tile(href: "/cuenta", label: "Mi cuenta", detail: "Rol, segundo factor y códigos de recuperación.", permission: .useBackOffice),
    ]
}
