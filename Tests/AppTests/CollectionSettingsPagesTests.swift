import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Lending
import LoanCollections
import SQLKit
import Store
import Testing

/// The administrator's collections set-up pages: buckets, dunning policies, message templates.
@Suite("Collections set-up pages: buckets, policies, templates")
struct CollectionSettingsPagesTests {
    @Test("An administrator sets buckets, writes template versions (rules enforced, preview, history) and a policy that uses them; a gestor may not", arguments: TestEngine.available)
    func setUp(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, _ in
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let admin = TestBrowser(client)
            try await admin.signIn(TestStaff.username(.administrador))
            let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: Date())])

            let page = try await admin.get("/cobranza/configuracion")
            #expect(page.status == .ok)
            #expect(page.text.contains("Tramos de atraso") && page.text.contains("estandar v1") && page.text.contains("recordatorio_previo"))

            // Buckets: a malformed line is named; a valid ladder is saved and shown.
            let bad = try await admin.post("/cobranza/configuracion/tramos", ["tramos": "al_corriente; Al corriente; 0; 0\nmal"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("Línea 2"))
            let gap = try await admin.post("/cobranza/configuracion/tramos", ["tramos": "al_corriente; Al corriente; 0; 0\nb1; Temprano; 5; "])
            #expect(gap.status == .unprocessableContent)
            let saved = try await admin.post(
                "/cobranza/configuracion/tramos", ["tramos": "al_corriente; Al corriente; 0; 0\nb1_60; De 1 a 60; 1; 60\nb61; Más de 60; 61; "]
            )
            #expect(saved.location == "/cobranza/configuracion?aviso=tramos")
            let after = try await admin.get("/cobranza/configuracion?aviso=tramos").text
            #expect(after.contains("61 días o más") && after.contains("1 a 60 días") && after.contains("Tramos guardados"))

            // Templates: SMS outside GSM-7 refused; preview fills a fictional borrower; a save is version 2, once.
            let accented = try await admin.post(
                "/cobranza/plantillas/recordatorio_previo", ["canal": "sms", "cuerpo": "{{acreedor}}: Hola {{nombre}}, tu pago de {{monto}} vence el día {{fecha_limite}}.", "accion": "guardar"]
            )
            #expect(accented.status == .unprocessableContent && accented.text.contains("GSM-7"))
            let body = "{{acreedor}}: Hola {{nombre}}, tu pago de {{monto}} vence el {{fecha_limite}}. CLABE {{clabe}}. Si ya pagaste, ignora este SMS. BAJA para no recibir SMS."
            let preview = try await admin.post("/cobranza/plantillas/recordatorio_previo", ["canal": "sms", "cuerpo": body, "accion": "vista_previa"])
            #expect(preview.status == .ok && preview.text.contains("Financiera Ejemplo: Hola Maria Guadalupe, tu pago de $1,234.56 vence el 15/12/2026."))
            #expect(try await admin.post("/cobranza/plantillas/recordatorio_previo", ["canal": "sms", "cuerpo": body, "accion": "guardar"]).location == "/cobranza/plantillas/recordatorio_previo?aviso=guardada")
            let same = try await admin.post("/cobranza/plantillas/recordatorio_previo", ["canal": "sms", "cuerpo": body, "accion": "guardar"])
            #expect(same.status == .unprocessableContent && same.text.contains("igual a la versión vigente"))
            let moved = try await admin.post("/cobranza/plantillas/recordatorio_previo", ["canal": "email", "asunto": "Aviso", "cuerpo": body, "accion": "guardar"])
            #expect(moved.status == .unprocessableContent && moved.text.contains("Cree una clave nueva"))
            let history = try await admin.get("/cobranza/plantillas/recordatorio_previo").text
            #expect(history.contains("Texto estándar") && history.contains("Responde BAJA"))

            // A new e-mail template: no amounts in the subject; then version 1.
            #expect(try await admin.get("/cobranza/plantillas?clave=atraso_45&canal=email").location == "/cobranza/plantillas/atraso_45?canal=email")
            #expect(try await admin.get("/cobranza/plantillas?clave=Mal Clave&canal=email").status == .unprocessableContent)
            let email = ["canal": "email", "asunto": "{{acreedor}}: tu crédito {{credito}}", "cuerpo": "Hola {{nombre}}: tu crédito {{credito}} lleva {{dias_atraso}} días de atraso; el monto es {{monto}}. CLABE {{clabe}}. Si ya pagaste, ignora este mensaje.", "accion": "guardar"]
            var loud = email
            loud["asunto"] = "Debes {{monto}}"
            #expect(try await admin.post("/cobranza/plantillas/atraso_45", loud).status == .unprocessableContent)
            #expect(try await admin.post("/cobranza/plantillas/atraso_45", email).location != nil)

            let templates = try await database.withConnection { db in try await MessageTemplateBook.load(lenderID: lender, on: db) }
            let reminder = try #require(templates.first { $0.key == "recordatorio_previo" })
            #expect(reminder.version == 2 && reminder.body == body)
            #expect(templates.first { $0.key == "atraso_45" }.map { [String($0.version), $0.channel.rawValue] } == ["1", "email"])
            #expect(templates.first { $0.key == "atraso_7" }?.version == 1)

            // A policy: a missing template and a channel mismatch are refused; a good one is saved for the product.
            let missing = try await admin.post("/cobranza/configuracion/politicas", ["codigo": "tardia", "pasos": "5 sms no_existe 0", "producto": "", "segmento": ""])
            #expect(missing.status == .unprocessableContent && missing.text.contains("No existe la plantilla «no_existe»"))
            let mismatch = try await admin.post("/cobranza/configuracion/politicas", ["codigo": "tardia", "pasos": "45 sms atraso_45", "producto": "", "segmento": ""])
            #expect(mismatch.status == .unprocessableContent && mismatch.text.contains("es para correo electrónico"))
            let malformed = try await admin.post("/cobranza/configuracion/politicas", ["codigo": "tardia", "pasos": "cinco sms atraso_45", "producto": "", "segmento": ""])
            #expect(malformed.status == .unprocessableContent && malformed.text.contains("Línea 1"))
            let policy = try await admin.post(
                "/cobranza/configuracion/politicas",
                ["codigo": "tardia", "pasos": "-3 sms recordatorio_previo 0\n45 email atraso_45 2", "producto": LoanFixture.product.code, "segmento": "critico"]
            )
            #expect(policy.location == "/cobranza/configuracion?aviso=politica")
            let policies = try await database.withConnection { db in try await DunningPolicies.load(lenderID: lender, on: db) }
            #expect(policies.policies.map { [$0.policy.code, String($0.policy.version), $0.productCode ?? "", $0.segment?.rawValue ?? ""] } == [["tardia", "1", LoanFixture.product.code, "critico"]])
            #expect(policies.policies.first?.policy.steps == [
                DunningPolicy.Step(offsetDays: -3, channel: .sms, template: "recordatorio_previo", priority: 0),
                DunningPolicy.Step(offsetDays: 45, channel: .email, template: "atraso_45", priority: 2),
            ])

            let audited = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'collections.%' ORDER BY action").all(decodingColumn: "action", as: String.self)
            }
            #expect(audited == ["collections.buckets", "collections.dunning_policy", "collections.message_template", "collections.message_template"])

            let gestor = TestBrowser(client)
            try await gestor.signIn(TestStaff.username(.gestorCobranza))
            #expect(try await gestor.get("/cobranza/configuracion").status == .forbidden)
            #expect(try await gestor.post("/cobranza/plantillas/recordatorio_previo", ["canal": "sms", "cuerpo": body, "accion": "guardar"]).status == .forbidden)
        }
    }
}
