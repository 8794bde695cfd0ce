import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird

/// `/clientes-api`: the administrator's API client management. A new client's secret is shown once, on the page
/// that answers its creation.
struct APIClientAdminRoutes {
    let web: WebRouter
    let clients: APIClients

    func add() {
        let clients = clients
        let pages = web.pages
        let access = Access.permission(.manageAPIClients)

        web.get("/clientes-api", access) { request in
            try await page(request, notice: request.query("aviso") == "desactivado" ? "Cliente desactivado; sus tokens dejaron de funcionar." : nil)
        }

        web.post("/clientes-api", access) { request in
            let scopes = Scope.known.filter { request.form["scope_\($0)"] == "1" }
            guard !scopes.isEmpty else { return try await page(request, error: "Elija al menos un alcance.") }
            do {
                let created = try await clients.create(name: request.field("name"), scopes: scopes, lenderID: request.user?.lenderID, actor: request.actor)
                return try await page(request, created: created, notice: "Cliente creado.")
            } catch let refusal as Administration.Refusal {
                return try await page(request, error: refusal.message)
            }
        }

        web.post("/clientes-api/:id/desactivar", access) { request in
            guard let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/clientes-api") }
            do {
                try await clients.deactivate(id: id, actor: request.actor)
            } catch let refusal as Administration.Refusal {
                return try await page(request, error: refusal.message)
            }
            return WebPages.redirect(to: "/clientes-api?aviso=desactivado")
        }

        @Sendable func page(_ request: WebRequest, created: APIClients.Created? = nil, notice: String? = nil, error: String? = nil) async throws -> Response {
            var values: [String: Any] = [
                "clients": try await clients.list().map { client -> [String: Any] in
                    [
                        "id": client.id, "name": client.name, "scopes": client.scopes.joined(separator: " "), "active": client.active,
                        "createdAt": String(client.createdAt.text.prefix(16)).replacingOccurrences(of: "T", with: " "),
                        "csrf": request.session?.csrfToken ?? "",
                    ]
                },
                "scopes": Scope.known,
            ]
            if let created { values["created"] = ["client_id": created.client_id, "client_secret": created.client_secret] }
            return pages.render(
                "api_clients", title: "Clientes de API", web: request, values: values, notice: notice, error: error,
                status: error == nil ? .ok : .unprocessableContent, current: "/clientes-api"
            )
        }
    }
}
