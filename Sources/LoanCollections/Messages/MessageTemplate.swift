import CarteraCore
import Foundation

/// A message a borrower receives, in Spanish, with `{{variable}}` slots filled per loan. Versioned: a changed text is
/// a new version, and each message sent records the version it was written from.
///
/// Rules (`../shared/notes/collections.md` §4.5): name the lender and the credit, the amount and how to pay with the
/// lender's own accounts, "si ya pagaste, ignora este mensaje", no threats; SMS stay within GSM-7 so they are not sent
/// as UCS-2; WhatsApp messages are Meta-approved templates whose parameters are the slots in order; e-mail subjects
/// carry no amounts.
public struct MessageTemplate: Sendable, Hashable, Codable {
    public let key: String
    public let version: Int
    public let channel: ContactChannel
    /// E-mail only.
    public let subject: String?
    public let body: String
    /// The name Meta approved the template under (WhatsApp only); its body parameters are `parameters`, in order.
    public let whatsAppName: String?

    public init(key: String, version: Int = 1, channel: ContactChannel, subject: String? = nil, body: String, whatsAppName: String? = nil) {
        self.key = key
        self.version = version
        self.channel = channel
        self.subject = subject
        self.body = body
        self.whatsAppName = whatsAppName
    }

    /// The slots a template may use, with what they hold.
    public static let variables: [String: String] = [
        "nombre": "nombre del acreditado", "monto": "monto exigible", "fecha_limite": "fecha de pago (dd/mm/aaaa)",
        "credito": "número de crédito", "clabe": "CLABE para pagar", "referencia_oxxo": "referencia de pago en efectivo",
        "acreedor": "nombre comercial del acreedor", "telefono": "teléfono de aclaraciones", "fecha_calculo": "fecha del cálculo del monto",
        "dias_atraso": "días de atraso",
    ]

    /// Longest SMS a template may produce before its values, in characters (Twilio recommends ≤ 320).
    public static let smsLimit = 320

    /// The slots in the body, in order of first appearance (a WhatsApp template's parameters).
    public var parameters: [String] {
        var names: [String] = []
        for name in Self.slots(in: body) where !names.contains(name) { names.append(name) }
        return names
    }

    /// What is wrong with the template, by field, in Spanish.
    public func issues() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if key.isEmpty || !key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
            issues.append(FieldIssue(field: "key", code: "message_template_invalid", message: "La clave usa sólo minúsculas, números y guion bajo."))
        }
        if version < 1 { issues.append(FieldIssue(field: "version", code: "message_template_invalid", message: "La versión empieza en 1.")) }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issues.append(FieldIssue(field: "body", code: "message_template_invalid", message: "El mensaje está vacío.")) }
        for (field, text) in [("body", body), ("subject", subject ?? "")] where text.components(separatedBy: "{{").count != text.components(separatedBy: "}}").count {
            issues.append(FieldIssue(field: field, code: "message_template_invalid", message: "Hay una variable sin cerrar: cada {{ necesita su }}."))
        }
        for name in Set(Self.slots(in: body) + Self.slots(in: subject ?? "")).sorted() where Self.variables[name] == nil {
            issues.append(FieldIssue(field: "body", code: "message_template_invalid", message: "La variable {{\(name)}} no existe; use una de: \(Self.variables.keys.sorted().joined(separator: ", "))."))
        }
        switch channel {
        case .sms:
            let foreign = GSM7.foreignCharacters(body)
            if !foreign.isEmpty {
                issues.append(FieldIssue(field: "body", code: "message_template_invalid", message: "El SMS usa caracteres fuera de GSM-7 (\(String(foreign))); escríbalos sin acento para no pagar mensajes UCS-2."))
            }
            if body.count > Self.smsLimit { issues.append(FieldIssue(field: "body", code: "message_template_invalid", message: "El SMS pasa de \(Self.smsLimit) caracteres; acórtelo.")) }
        case .email:
            if (subject ?? "").isEmpty { issues.append(FieldIssue(field: "subject", code: "message_template_invalid", message: "El correo necesita un asunto.")) }
            if Self.slots(in: subject ?? "").contains(where: { ["monto", "dias_atraso"].contains($0) }) {
                issues.append(FieldIssue(field: "subject", code: "message_template_invalid", message: "El asunto no debe mostrar montos ni atrasos: lo ve cualquiera que vea la bandeja."))
            }
        case .whatsapp:
            if (whatsAppName ?? "").isEmpty { issues.append(FieldIssue(field: "whatsAppName", code: "message_template_invalid", message: "Indique el nombre de la plantilla aprobada por Meta.")) }
            if body.count > 1024 { issues.append(FieldIssue(field: "body", code: "message_template_invalid", message: "El cuerpo de una plantilla de WhatsApp admite hasta 1,024 caracteres.")) }
        case .voice:
            break
        }
        return issues
    }

    /// A template with values filled in.
    public struct Rendered: Sendable, Hashable, Codable {
        public let subject: String?
        public let body: String
        /// The values of `parameters`, in order (WhatsApp's body parameters).
        public let parameters: [String]
        /// SMS parts (1 for other channels).
        public let segments: Int
    }

    /// A slot the loan has no value for.
    public struct MissingValue: Error, Sendable, Equatable {
        public let variable: String
        public init(variable: String) { self.variable = variable }
        public var message: String { "Falta el dato «\(MessageTemplate.variables[variable] ?? variable)» para escribir el mensaje." }
    }

    /// Fills the slots with `values`. SMS values are written in GSM-7 (accents outside it dropped: «María» → «Maria»).
    public func render(_ values: [String: String]) throws(MissingValue) -> Rendered {
        func fill(_ text: String) throws(MissingValue) -> String {
            var output = ""
            var rest = Substring(text)
            while let open = rest.range(of: "{{") {
                output += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    output += rest[open.lowerBound...]
                    rest = rest[rest.endIndex...]
                    break
                }
                let name = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
                guard let value = values[name], !value.isEmpty else { throw MissingValue(variable: name) }
                output += channel == .sms ? GSM7.folded(value) : value
                rest = rest[close.upperBound...]
            }
            return output + rest
        }
        let body = try fill(body)
        let subject = try subject.map { text throws(MissingValue) in try fill(text) }
        var parameters: [String] = []
        for name in self.parameters {
            guard let value = values[name] else { throw MissingValue(variable: name) }
            parameters.append(value)
        }
        return Rendered(subject: subject, body: body, parameters: parameters, segments: channel == .sms ? GSM7.segments(body) : 1)
    }

    static func slots(in text: String) -> [String] {
        text.matches(of: /\{\{\s*([^{}]*?)\s*\}\}/).map { String($0.1) }
    }
}

extension GSM7 {
    /// `text` with each character outside GSM-7 replaced by its letter without the accent when that is in GSM-7
    /// (á → a, Í → I), or dropped.
    public static func folded(_ text: String) -> String {
        var output = ""
        for character in text {
            if basic.contains(character) || extended.contains(character) {
                output.append(character)
            } else if let scalar = String(character).decomposedStringWithCanonicalMapping.unicodeScalars.first, basic.contains(Character(scalar)) {
                output.append(Character(scalar))
            }
        }
        return output
    }
}
