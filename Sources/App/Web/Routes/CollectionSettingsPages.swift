import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import LoanCollections
import Store

/// Collections set-up for the lender's administrators (`collections:configure`): the delinquency buckets, the dunning
/// policies (a ladder of steps per product and/or segment, each save a new version) and the message templates borrowers
/// receive (each save a new version, previewed with a fictional borrower before saving). Every change is audited by the
/// services it calls.
struct CollectionSettingsPages {
    let web: WebRouter
    let database: Database
    let products: ProductCatalog
    /// The application's clock (the moment each change is recorded at).
    let clock: @Sendable () -> Timestamp

    func add() {
        let pages = web.pages
        let database = database
        let products = products
        let clock = clock

        @Sendable func settings(_ request: WebRequest, error: String? = nil, status: HTTPResponse.Status = .ok, draft: [String: String] = [:]) async throws -> Response {
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let (buckets, policies, templates) = try await database.withConnection { db in
                (
                    try await CollectionSettings.buckets(lenderID: user.lenderID, on: db), try await DunningPolicies.load(lenderID: user.lenderID, on: db),
                    try await MessageTemplateBook.entries(lenderID: user.lenderID, on: db)
                )
            }
            let productCodes = try await products.latest(lenderID: user.lenderID).map(\.code).sorted()
            var values: [String: Any] = [
                "buckets": draft["tramos"] ?? Self.bucketsText(buckets),
                "bucketRows": buckets.buckets.map { ["code": $0.code, "label": $0.label, "range": Self.range($0)] },
                "policies": (policies.policies.isEmpty ? [DunningPolicies.Scoped(policy: .standard, productCode: nil, segment: nil)] : policies.policies).map { scoped in
                    [
                        "code": scoped.policy.code, "version": scoped.policy.version, "product": scoped.productCode ?? "Todos",
                        "segment": scoped.segment?.label ?? "Todos", "standard": policies.policies.isEmpty,
                        "steps": scoped.policy.steps.map { step in
                            ["offset": Self.offsetLabel(step.offsetDays), "channel": step.channel.label, "template": step.template, "priority": step.priority]
                        },
                    ] as [String: Any]
                },
                "policyCode": draft["codigo"] ?? "", "policySteps": draft["pasos"] ?? Self.stepsText(DunningPolicy.standard.steps),
                "products": productCodes.map { ["code": $0, "selected": draft["producto"] == $0] },
                "segments": BehaviourSegment.allCases.map { ["code": $0.rawValue, "label": $0.label, "selected": draft["segmento"] == $0.rawValue] },
                "templates": templates.map { entry in
                    [
                        "key": entry.template.key, "version": entry.template.version, "channel": entry.template.channel.label,
                        "origin": entry.savedAt.map { "Del otorgante (\($0.prefix(10)))" } ?? "Estándar", "excerpt": String(entry.template.body.prefix(90)),
                    ] as [String: Any]
                },
                "channels": ContactChannel.allCases.map { ["code": $0.rawValue, "label": $0.label] },
            ]
            if let notice = request.query("aviso") {
                values["notice"] = ["tramos": "Tramos guardados: rigen desde el próximo cierre.", "politica": "Política guardada: rige desde la próxima cobranza."][notice]
            }
            return pages.render("collection_settings", title: "Configuración de cobranza", web: request, values: values, error: error, status: status, current: "/cobranza")
        }

        web.get("/cobranza/configuracion", .permission(.configureCollections)) { request in
            try await settings(request)
        }

        web.post("/cobranza/configuracion/tramos", .permission(.configureCollections)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let text = request.field("tramos")
            do {
                let buckets = try Self.parseBuckets(text)
                try await CollectionSettings.setBuckets(buckets, lenderID: user.lenderID, actor: request.actor, database: database, now: clock())
                return WebPages.redirect(to: "/cobranza/configuracion?aviso=tramos")
            } catch let refusal as CollectionRefusal {
                return try await settings(request, error: refusal.message, status: .unprocessableContent, draft: ["tramos": text])
            }
        }

        web.post("/cobranza/configuracion/politicas", .permission(.configureCollections)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let draft = ["codigo": request.field("codigo"), "pasos": request.field("pasos"), "producto": request.field("producto"), "segmento": request.field("segmento")]
            do {
                let code = draft["codigo"] ?? ""
                guard !code.isEmpty else { throw CollectionRefusal("dunning_policy_invalid", "Escriba la clave de la política (por ejemplo «temprana»).") }
                let steps = try Self.parseSteps(draft["pasos"] ?? "")
                var segment: BehaviourSegment?
                if let text = draft["segmento"], !text.isEmpty {
                    guard let parsed = BehaviourSegment(rawValue: text) else { throw CollectionRefusal("dunning_policy_invalid", "Segmento desconocido «\(text)».") }
                    segment = parsed
                }
                let product = draft["producto"].flatMap { $0.isEmpty ? nil : $0 }
                _ = try await DunningPolicies.save(
                    code: code, steps: steps, productCode: product, segment: segment, lenderID: user.lenderID, actor: request.actor, database: database, now: clock()
                )
                return WebPages.redirect(to: "/cobranza/configuracion?aviso=politica")
            } catch let refusal as CollectionRefusal {
                return try await settings(request, error: refusal.message, status: .unprocessableContent, draft: draft)
            }
        }

        @Sendable func editor(_ request: WebRequest, key: String, draft: MessageTemplate? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let history = try await database.withConnection { db in try await MessageTemplateBook.history(key: key, lenderID: user.lenderID, on: db) }
            let channel = draft?.channel ?? history.first?.template.channel ?? request.query("canal").flatMap(ContactChannel.init(rawValue:)) ?? .sms
            let shown = draft ?? history.first?.template
            var values: [String: Any] = [
                "key": key, "isNew": history.isEmpty, "channelCode": channel.rawValue, "channel": channel.label, "isEmail": channel == .email,
                "isWhatsApp": channel == .whatsapp, "isSMS": channel == .sms, "subject": shown?.subject ?? "", "body": shown?.body ?? "",
                "whatsAppName": shown?.whatsAppName ?? "",
                "variables": MessageTemplate.variables.sorted { $0.key < $1.key }.map { ["name": "{{\($0.key)}}", "meaning": $0.value] },
                "history": history.map { entry in
                    [
                        "version": entry.template.version, "origin": entry.savedAt.map { "\($0.prefix(16).replacingOccurrences(of: "T", with: " ")) · \(entry.savedBy ?? "")" } ?? "Texto estándar",
                        "body": entry.template.body,
                    ] as [String: Any]
                },
                "channels": ContactChannel.allCases.map { ["code": $0.rawValue, "label": $0.label, "selected": $0 == channel] },
            ]
            if let shown {
                let preview = MessageTemplate(key: key, channel: channel, subject: shown.subject, body: shown.body, whatsAppName: shown.whatsAppName)
                if let rendered = try? preview.render(MessageTemplateBook.sampleValues) {
                    values["preview"] = [
                        "subject": rendered.subject ?? "", "body": rendered.body,
                        "measure": channel == .sms ? "\(rendered.body.count) caracteres, \(rendered.segments) SMS" : "\(rendered.body.count) caracteres",
                    ]
                }
            }
            if request.query("aviso") == "guardada" { values["notice"] = "Versión \(history.first?.template.version ?? 1) guardada: los próximos mensajes usan este texto." }
            return pages.render("message_template", title: "Plantilla \(key)", web: request, values: values, error: error, status: status, current: "/cobranza")
        }

        // The "new template" form: a key in the rules, then its editor.
        web.get("/cobranza/plantillas", .permission(.configureCollections)) { request in
            let key = request.query("clave") ?? ""
            guard !key.isEmpty, key.count <= 60, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                return try await settings(request, error: "La clave de una plantilla usa sólo minúsculas, números y guion bajo (por ejemplo «atraso_45»).", status: .unprocessableContent)
            }
            let channel = request.query("canal").flatMap(ContactChannel.init(rawValue:)) ?? .sms
            return WebPages.redirect(to: "/cobranza/plantillas/\(key)?canal=\(channel.rawValue)")
        }

        web.get("/cobranza/plantillas/:key", .permission(.configureCollections)) { request in
            guard let key = request.context.parameters.get("key") else { return WebPages.redirect(to: "/cobranza/configuracion") }
            return try await editor(request, key: key)
        }

        web.post("/cobranza/plantillas/:key", .permission(.configureCollections)) { request in
            guard let user = request.user, let key = request.context.parameters.get("key") else { return WebPages.redirect(to: "/login") }
            guard let channel = ContactChannel(rawValue: request.field("canal")) else {
                return try await editor(request, key: key, error: "Elija el canal de la plantilla.", status: .unprocessableContent)
            }
            let subject = request.field("asunto")
            let name = request.field("nombre_whatsapp")
            let draft = MessageTemplate(key: key, channel: channel, subject: subject, body: request.field("cuerpo"), whatsAppName: name)
            if request.field("accion") == "vista_previa" {
                let issues = draft.issues().map(\.message)
                return try await editor(request, key: key, draft: draft, error: issues.isEmpty ? nil : issues.joined(separator: " "))
            }
            do {
                _ = try await MessageTemplateBook.save(
                    key: key, channel: channel, subject: subject, body: draft.body, whatsAppName: name, lenderID: user.lenderID, actor: request.actor,
                    database: database, now: clock()
                )
                return WebPages.redirect(to: "/cobranza/plantillas/\(key)?aviso=guardada")
            } catch let refusal as CollectionRefusal {
                return try await editor(request, key: key, draft: draft, error: refusal.message, status: .unprocessableContent)
            }
        }
    }

    // MARK: Text forms

    /// Buckets as the form shows them: one per line, `clave; nombre; desde; hasta` (hasta empty for the last).
    static func bucketsText(_ buckets: DelinquencyBuckets) -> String {
        buckets.buckets.map { "\($0.code); \($0.label); \($0.minDays); \($0.maxDays.map(String.init) ?? "")" }.joined(separator: "\n")
    }

    /// Buckets read from the form, every malformed line and rule broken named.
    static func parseBuckets(_ text: String) throws -> DelinquencyBuckets {
        var list: [DelinquencyBuckets.Bucket] = []
        var reasons: [String] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 4, !fields[0].isEmpty, !fields[1].isEmpty, let min = Int(fields[2]), fields[3].isEmpty || Int(fields[3]) != nil else {
                reasons.append("Línea \(index + 1): se espera «clave; nombre; desde; hasta» con días enteros (hasta vacío en el último tramo).")
                continue
            }
            list.append(DelinquencyBuckets.Bucket(code: fields[0], label: fields[1], minDays: min, maxDays: Int(fields[3])))
        }
        guard reasons.isEmpty else { throw CollectionRefusal("buckets_invalid", reasons.joined(separator: " ")) }
        do { return try DelinquencyBuckets(list) } catch {
            throw CollectionRefusal("buckets_invalid", error.issues.map(\.message).joined(separator: " "))
        }
    }

    /// Steps as the form shows them: one per line, `días canal plantilla prioridad`.
    static func stepsText(_ steps: [DunningPolicy.Step]) -> String {
        steps.map { "\($0.offsetDays) \($0.channel.rawValue) \($0.template) \($0.priority)" }.joined(separator: "\n")
    }

    /// Steps read from the form, every malformed line named.
    static func parseSteps(_ text: String) throws -> [DunningPolicy.Step] {
        var steps: [DunningPolicy.Step] = []
        var reasons: [String] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard (3...4).contains(fields.count), let offset = Int(fields[0]), let channel = ContactChannel(rawValue: fields[1]),
                fields.count == 3 || Int(fields[3]) != nil
            else {
                reasons.append(
                    "Línea \(index + 1): se espera «días canal plantilla [prioridad]», p. ej. «-3 sms recordatorio_previo 0»; canales: "
                        + ContactChannel.allCases.map(\.rawValue).joined(separator: ", ") + "."
                )
                continue
            }
            steps.append(DunningPolicy.Step(offsetDays: offset, channel: channel, template: fields[2], priority: fields.count == 4 ? Int(fields[3])! : 0))
        }
        guard reasons.isEmpty else { throw CollectionRefusal("dunning_policy_invalid", reasons.joined(separator: " ")) }
        return steps
    }

    static func range(_ bucket: DelinquencyBuckets.Bucket) -> String {
        guard let max = bucket.maxDays else { return "\(bucket.minDays) días o más" }
        return bucket.minDays == max ? "\(max) días" : "\(bucket.minDays) a \(max) días"
    }

    static func offsetLabel(_ days: Int) -> String {
        days == 0 ? "El día del vencimiento" : days < 0 ? "\(-days) días antes" : "\(days) días después"
    }
}
