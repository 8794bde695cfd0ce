import CarteraCore
import CarteraSecurity
import Hummingbird
import Integrations

/// The administrator's page of the payment gateways: where each one's settings come from, and a form to save keys,
/// webhook secrets and base URLs (encrypted at rest, applied at once).
struct GatewaySettingsPages {
    let web: WebRouter
    let gateways: GatewayRegistry

    /// What each provider calls its account id, webhook secret and webhook key.
    static func labels(_ provider: GatewayProvider) -> (account: String, secret: String, key: String?, asksUser: Bool) {
        switch provider {
        case .stripe: ("Cuenta (no se usa)", "Secretos de firma de los avisos (whsec_…, separados por comas al cambiarlos)", nil, false)
        case .conekta: ("Cuenta (no se usa)", "Secreto de avisos (no se usa)", "Llave pública de los avisos (PEM, de POST /webhook_keys)", false)
        case .openpay: ("Id de comercio (merchant id)", "Contraseña de los avisos", nil, true)
        case .mercadopago: ("Cuenta (no se usa)", "Clave secreta de los avisos", nil, false)
        case .paypal: ("Client id", "Secreto de avisos (no se usa)", "Id del webhook en el panel de PayPal", false)
        }
    }

    func add() {
        let pages = web.pages
        let gateways = gateways

        web.get("/pasarelas", .permission(.manageGateways)) { request in
            let saved = try await gateways.store?.all() ?? [:]
            let rows = GatewayProvider.allCases.map { provider -> [String: Any] in
                let entry = saved[provider]
                let source = gateways.source(provider, saved: saved)
                let methods = gateways.connectors[provider].map { connector in
                    GatewayMethod.Kind.allCases.filter { connector.methods.contains($0) }.map { PaymentIntentPages.methodLabels[$0] ?? $0.rawValue }.joined(separator: ", ")
                }
                return [
                    "id": provider.rawValue, "name": provider.name,
                    "source": source == .environment ? "Definida en el entorno" : source == .saved ? "Configurada aquí" : "Sin configurar",
                    "methods": methods ?? "—", "accountId": entry?.accountID ?? "", "apiBase": entry?.apiBase ?? "",
                    "webhooks": gateways.verifiers[provider] == nil ? "Se rechazan (sin configurar)" : "Se verifican",
                    "updated": entry?.updatedAt.map { "\($0.prefix(16)) por \(entry?.updatedBy ?? "")" } ?? "",
                ]
            }
            return pages.render(
                "gateways", title: "Pasarelas de pago", web: request, values: ["providers": rows],
                notice: request.query("aviso") == "guardado" ? "Configuración guardada y aplicada." : nil, current: "/pasarelas"
            )
        }

        web.get("/pasarelas/:provider", .permission(.manageGateways)) { request in
            guard let provider = request.context.parameters.get("provider").flatMap(GatewayProvider.init(rawValue:)) else {
                return pages.message(title: "Pasarela desconocida", message: "Esa pasarela no existe.", web: request, status: .notFound, next: ("/pasarelas", "Ver las pasarelas"))
            }
            return try await Self.form(pages, request, provider: provider, gateways: gateways, error: nil)
        }

        web.post("/pasarelas/:provider", .permission(.manageGateways)) { request in
            guard let provider = request.context.parameters.get("provider").flatMap(GatewayProvider.init(rawValue:)), let store = gateways.store else {
                return pages.message(title: "Pasarela desconocida", message: "Esa pasarela no existe.", web: request, status: .notFound, next: ("/pasarelas", "Ver las pasarelas"))
            }
            var change = GatewaySettingsStore.Change()
            change.values.secretKey = request.field("llave")
            change.values.accountID = request.field("cuenta")
            change.values.apiBase = request.field("api")
            change.values.webhookSecret = request.field("secreto")
            change.values.webhookUser = request.field("usuario")
            change.values.webhookKey = request.field("llave_avisos")
            change.clearSecrets = request.field("borrar") == "1"
            do {
                try await store.save(provider, change, actor: request.actor)
                try await gateways.reload()
                return WebPages.redirect(to: "/pasarelas?aviso=guardado")
            } catch let error as APIError {
                return try await Self.form(pages, request, provider: provider, gateways: gateways, error: error.message, status: .unprocessableContent)
            }
        }
    }

    static func form(
        _ pages: WebPages, _ request: WebRequest, provider: GatewayProvider, gateways: GatewayRegistry, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let saved = try await gateways.store?.all() ?? [:]
        let entry = saved[provider]
        let labels = Self.labels(provider)
        var values: [String: Any] = [
            "id": provider.rawValue, "fromEnvironment": gateways.source(provider, saved: saved) == .environment, "hasSecret": entry?.secretKey != nil,
            "hasWebhookSecret": entry?.webhookSecret != nil, "accountId": entry?.accountID ?? "", "apiBase": entry?.apiBase ?? "",
            "production": GatewayConnectors.productionBaseURL(provider), "accountLabel": labels.account, "secretLabel": labels.secret,
            "asksUser": labels.asksUser, "webhookUser": entry?.webhookUser ?? "", "asksKey": labels.key != nil, "keyLabel": labels.key ?? "",
            "webhookKey": entry?.webhookKey ?? "",
        ]
        values["title"] = provider.name
        return pages.render("gateway", title: "Pasarela: \(provider.name)", web: request, values: values, error: error, status: status, current: "/pasarelas")
    }
}
