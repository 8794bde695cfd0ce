import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird

/// `/usuarios`: the administrator's user management.
struct UserAdminRoutes {
    let web: WebRouter
    let administration: Administration

    func add() {
        let administration = administration
        let pages = web.pages
        let access = Access.permission(.manageUsers)

        web.get("/usuarios", access) { request in
            try await page(request, notice: request.query("aviso").flatMap(Self.notices.get))
        }

        web.post("/usuarios", access) { request in
            guard let role = Role(rawValue: request.field("role")) else {
                return try await page(request, error: "Elija un rol de la lista.", keepForm: true)
            }
            do {
                let created = try await administration.createUser(
                    username: request.field("username"), displayName: request.field("display_name"), role: role,
                    password: request.form["password"] ?? "", lenderID: request.user?.lenderID, passwordChangeRequired: true,
                    clientID: request.field("client_id"), actor: request.actor
                )
                return WebPages.redirect(to: "/usuarios?aviso=creado-\(created.mfa_required ? "mfa" : "simple")")
            } catch let refusal as Administration.Refusal {
                return try await page(request, error: refusal.message, keepForm: true)
            } catch let violation as PasswordPolicy.Violation {
                return try await page(request, error: violation.message, keepForm: true)
            }
        }

        for (action, notice) in [("desactivar", "desactivado"), ("activar", "activado"), ("restablecer-segundo-factor", "restablecido"), ("desbloquear", "desbloqueado")] {
            web.post("/usuarios/:id/\(action)", access) { request in
                guard let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/usuarios") }
                do {
                    switch action {
                    case "desactivar": try await administration.setActive(userID: id, active: false, actor: request.actor)
                    case "activar": try await administration.setActive(userID: id, active: true, actor: request.actor)
                    case "restablecer-segundo-factor": try await administration.resetSecondFactor(userID: id, actor: request.actor)
                    default: try await administration.unlock(userID: id, actor: request.actor)
                    }
                } catch let refusal as Administration.Refusal {
                    return try await page(request, error: refusal.message)
                }
                return WebPages.redirect(to: "/usuarios?aviso=\(notice)")
            }
        }

        @Sendable func page(_ request: WebRequest, notice: String? = nil, error: String? = nil, keepForm: Bool = false) async throws -> Response {
            let users = try await administration.users()
            let selectedRole = keepForm ? request.field("role") : Role.analistaCredito.rawValue
            return pages.render(
                "users", title: "Usuarios", web: request,
                values: [
                    "users": users.map { user -> [String: Any] in
                        [
                            "id": user.id, "username": user.username, "displayName": user.displayName, "roleName": user.role.displayName,
                            "active": user.active, "hasSecondFactor": user.hasSecondFactor, "locked": user.locked,
                            "isSelf": user.id == request.user?.id, "csrf": request.session?.csrfToken ?? "",
                        ]
                    },
                    "roles": Role.allCases.map { role -> [String: Any] in
                        ["value": role.rawValue, "label": role.displayName, "selected": role.rawValue == selectedRole]
                    },
                    "form": keepForm ? ["username": request.field("username"), "display_name": request.field("display_name"), "client_id": request.field("client_id")] : [:],
                ],
                notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent, current: "/usuarios"
            )
        }
    }

    static let notices: [String: String] = [
        "creado-mfa": "Usuario creado. Al iniciar sesión configurará su segundo factor (obligatorio para su rol) y cambiará la contraseña.",
        "creado-simple": "Usuario creado. Al iniciar sesión cambiará la contraseña inicial.",
        "desactivado": "Usuario desactivado; sus sesiones abiertas se cerraron.",
        "activado": "Usuario activado.",
        "restablecido": "Segundo factor restablecido; el usuario lo configurará de nuevo al iniciar sesión.",
        "desbloqueado": "Usuario desbloqueado.",
    ]
}

extension Dictionary where Key == String {
    /// `dictionary.get` as a function, for `flatMap`.
    func get(_ key: String) -> Value? { self[key] }
}
