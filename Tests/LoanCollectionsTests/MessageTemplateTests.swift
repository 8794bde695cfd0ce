import CarteraCore
import CarteraTestSupport
import Foundation
import LoanCollections
import Testing

@Suite("Message templates (es-MX, GSM-7 SMS, WhatsApp parameters)")
struct MessageTemplateTests {
    static let values = [
        "nombre": "María Ñúñez", "monto": "$1,250.00", "fecha_limite": "15/03/2026", "credito": "4821", "clabe": "646180157000000004",
        "acreedor": "Financiera Ejemplo", "telefono": "55 1234 5678", "fecha_calculo": "16/03/2026", "dias_atraso": "1",
    ]

    @Test("GSM-7 segments: 160 / 153 septets, extension characters count two, one accent outside GSM-7 makes it UCS-2 (70 / 67)")
    func segments() {
        #expect(GSM7.segments(String(repeating: "a", count: 160)) == 1)
        #expect(GSM7.segments(String(repeating: "a", count: 161)) == 2)
        #expect(GSM7.segments(String(repeating: "a", count: 306)) == 2)
        #expect(GSM7.segments(String(repeating: "a", count: 307)) == 3)
        #expect(GSM7.septets("€[]") == 6)
        #expect(GSM7.segments(String(repeating: "€", count: 80)) == 1)
        #expect(GSM7.segments(String(repeating: "€", count: 81)) == 2)
        // ñ Ñ é ¿ ¡ ü are GSM-7; á í ó ú are not.
        #expect(GSM7.isEncodable("¿Señor Müller? ¡Pagué! é"))
        #expect(!GSM7.isEncodable("crédito número"))
        #expect(GSM7.foreignCharacters("crédito número í ú") == ["ú", "í"])
        #expect(GSM7.segments(String(repeating: "a", count: 69) + "á") == 1)
        #expect(GSM7.segments(String(repeating: "a", count: 70) + "á") == 2)
        #expect(GSM7.segments(String(repeating: "á", count: 135)) == 3)
        #expect(GSM7.folded("María Núñez 😀 Ángel") == "Maria Nuñez  Angel")
    }

    @Test("The standard templates are valid, their SMS are GSM-7, and each of the standard ladder's steps has one")
    func standard() {
        for template in MessageTemplates.standard { #expect(template.issues().isEmpty, "\(template.key): \(template.issues())") }
        for step in DunningPolicy.standard.steps {
            #expect(MessageTemplates.standard(step.template)?.channel == step.channel, "\(step.template)")
        }
    }

    @Test("Rendering: SMS values folded to GSM-7, WhatsApp parameters in order of first appearance, e-mail subject filled, missing values named")
    func rendering() throws {
        let sms = try MessageTemplates.standard("recordatorio_previo")!.render(Self.values)
        #expect(sms.body == "Financiera Ejemplo: Hola Maria Ñuñez, tu pago de $1,250.00 del credito 4821 vence el 15/03/2026. Paga por SPEI a la CLABE 646180157000000004. Si ya pagaste, ignora este SMS. Dudas: 55 1234 5678. Responde BAJA para no recibir SMS.")
        #expect(GSM7.isEncodable(sms.body))
        #expect(sms.segments == 2)
        let whatsapp = try MessageTemplates.standard("aviso_vencimiento")!.render(Self.values)
        #expect(MessageTemplates.standard("aviso_vencimiento")!.parameters == ["nombre", "fecha_limite", "monto", "credito", "acreedor", "clabe", "telefono"])
        #expect(whatsapp.parameters == ["María Ñúñez", "15/03/2026", "$1,250.00", "4821", "Financiera Ejemplo", "646180157000000004", "55 1234 5678"])
        #expect(whatsapp.body.hasPrefix("Hola María Ñúñez, hoy 15/03/2026 vence"))
        let email = try MessageTemplates.standard("atraso_15")!.render(Self.values)
        #expect(email.subject == "Financiera Ejemplo: información sobre tu crédito 4821")
        var missing = Self.values
        missing["clabe"] = nil
        #expect(throws: MessageTemplate.MissingValue(variable: "clabe")) { try MessageTemplates.standard("atraso_7")!.render(missing) }
    }

    @Test("Invalid templates are refused at their field: unknown variable, accent in an SMS, amount in a subject, WhatsApp without its approved name")
    func refused() throws {
        #expect(MessageTemplate(key: "x", channel: .sms, body: "Hola {{nombre_completo}}").issues().map(\.field) == ["body"])
        #expect(MessageTemplate(key: "x", channel: .sms, body: "Tu crédito número {{credito}}").issues().map(\.message).first?.contains("(ú)") == true)
        #expect(MessageTemplate(key: "x", channel: .sms, body: String(repeating: "a", count: 321)).issues().count == 1)
        #expect(MessageTemplate(key: "x", channel: .email, subject: "Debes {{monto}}", body: "Hola").issues().map(\.field) == ["subject"])
        #expect(MessageTemplate(key: "x", channel: .whatsapp, body: "Hola {{nombre}}").issues().map(\.field) == ["whatsAppName"])
        #expect(MessageTemplate(key: "Clave Mala", channel: .voice, body: "Hola").issues().map(\.field) == ["key"])
        let unclosed = MessageTemplate(key: "x", channel: .voice, body: "Hola {{nombre, paga {{monto}}")
        #expect(unclosed.issues().map(\.field).contains("body"))
        #expect(try MessageTemplate(key: "x", channel: .voice, body: "Hola {{nombre").render(["nombre": "Ana"]).body == "Hola {{nombre")
    }

    @Test("Time zones from the address's state: Sonora (SR) Hermosillo, Baja California Tijuana, Quintana Roo Cancún; an explicit zone wins")
    func zones() {
        #expect(MexicanTimeZones.zone(explicit: nil, state: "SR") == "America/Hermosillo")
        #expect(MexicanTimeZones.zone(explicit: nil, state: "bc") == "America/Tijuana")
        #expect(MexicanTimeZones.zone(explicit: nil, state: "QR") == "America/Cancun")
        #expect(MexicanTimeZones.zone(explicit: nil, state: "JC") == "America/Mexico_City")
        #expect(MexicanTimeZones.zone(explicit: "America/Ciudad_Juarez", state: "CH") == "America/Ciudad_Juarez")
        #expect(MexicanTimeZones.zone(explicit: "Marte/Olimpo", state: "CH") == "America/Chihuahua")
    }

    @Test("Property: whatever the borrower's name and the lender's texts, every standard SMS rendered is GSM-7 and within 3 parts")
    func smsAlwaysGSM7() throws {
        var random = SplitMix64(seed: 77)
        let alphabet = Array("abcdefghijklmnñopqrstuvwxyzáéíóúüÁÉÍÓÚÑ 😀çÇ'-.")
        for _ in 0..<2_000 {
            var values = Self.values
            for key in ["nombre", "acreedor"] {
                values[key] = String((0..<Int(random.next() % 30 + 1)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            }
            for template in MessageTemplates.standard where template.channel == .sms {
                let rendered = try template.render(values)
                #expect(GSM7.isEncodable(rendered.body), "\(rendered.body)")
                #expect(rendered.segments <= 3)
            }
        }
    }
}
