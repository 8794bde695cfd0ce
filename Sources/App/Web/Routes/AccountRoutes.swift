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

    func add() {
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

        web.get("/portal", .permission(.usePortal)) { request in
            pages.render("portal", title: "Mis créditos", web: request, values: ["displayName": request.user?.displayName ?? ""], current: "/portal")
        }

        web.get("/cuenta", .signedIn) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let remaining = try await enrolment.remainingRecoveryCodes(userID: user.id)
            return pages.render(
                "account", title: "Mi cuenta", web: request,
                values: [
                    "username": user.username, "roleName": user.role.displayName, "hasSecondFactor": user.hasSecondFactor,
                    "recoveryCodes": remaining, "mfaRequired": user.role.requiresMFA,
                ]
            )
        }

        web.get("/cuenta/segundo-factor", .enrolment) { request in
            try await enrolPage(request, error: nil)
        }

        web.post("/cuenta/segundo-factor", .enrolment) { request in
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            let codes: [String]
            do {
                codes = try await enrolment.confirm(user: session.user, code: request.field("code"), actor: request.actor)
            } catch let refusal as SecondFactorEnrolment.Refusal {
                return try await enrolPage(request, error: refusal.message)
            }
            var setCookies: [String] = []
            if session.state == .enrolmentRequired {
                let token = try await database.transaction { db in
                    try await sessions.advance(session, to: .active, ipAddress: request.attempt.ipAddress, userAgent: request.attempt.userAgent, on: db)
                }
                setCookies.append(cookies.session(token))
            }
            var response = pages.render(
                "recovery_codes", title: "Códigos de recuperación", web: WebRequest(request: request.request, context: request.context, session: nil, form: [:]),
                values: ["codes": codes], notice: "Segundo factor activado."
            )
            for cookie in setCookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return response
        }

        @Sendable func enrolPage(_ request: WebRequest, error: String?) async throws -> Response {
            guard let session = request.session else { return WebPages.redirect(to: "/login") }
            let offer = try await enrolment.offer(for: session.user)
            return pages.render(
                "enrol", title: "Segundo factor de autenticación", web: request,
                values: [
                    "secret": offer.secretForPeople, "uri": offer.uri, "required": session.state == .enrolmentRequired,
                    "qrSVG": QRCodeSVG.render(offer.uri) ?? "",
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
        Tile(href: "/usuarios", label: "Usuarios", detail: "Altas, bajas, desbloqueos y segundo factor.", permission: .manageUsers),
        Tile(href: "/clientes-api", label: "Clientes de API", detail: "Integraciones con acceso a /api/v1.", permission: .manageAPIClients),
        Tile(href: "/auditoria", label: "Auditoría", detail: "Bitácora encadenada de accesos y cambios.", permission: .readAudit),
        Tile(href: "/cuenta", label: "Mi cuenta", detail: "Rol, segundo factor y códigos de recuperación.", permission: .useBackOffice),
    ]
}
