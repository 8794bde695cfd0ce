import CarteraCore
import CarteraSecurity
import Foundation
import LoanCollections
import SQLKit
import Store

/// The lender's collection message templates: the standard ones (`MessageTemplates.standard`) until the lender saves
/// its own text for a key, then the latest version it saved. A saved text is always a new version (never an edit), so
/// each message sent still names the exact version it was written from; a key keeps its channel (policies point at
/// keys by channel) and a new key may be added for a new step.
public enum MessageTemplateBook {
    /// One template with where it came from.
    public struct Entry: Sendable, Equatable {
        public let template: MessageTemplate
        /// Nil for a standard text the lender has not replaced.
        public let savedAt: String?
        public let savedBy: String?
    }

    /// The templates in force for the lender (latest saved version of each key over the standard set), by key.
    public static func load(lenderID: String, on db: any SQLDatabase) async throws -> [MessageTemplate] {
        try await entries(lenderID: lenderID, on: db).map(\.template)
    }

    /// The templates in force, with who saved each (standard ones have nobody), ordered by key.
    public static func entries(lenderID: String, on db: any SQLDatabase) async throws -> [Entry] {
        let rows = try await db.raw(
            """
            SELECT t.template, t.created_at, t.created_by FROM message_templates t
            WHERE t.lender_id = \(bind: lenderID)
              AND t.version = (SELECT MAX(version) FROM message_templates u WHERE u.lender_id = t.lender_id AND u.template_key = t.template_key)
            """
        ).all()
        var byKey: [String: Entry] = [:]
        for template in MessageTemplates.standard { byKey[template.key] = Entry(template: template, savedAt: nil, savedBy: nil) }
        for row in rows {
            let template = try decode(try row.decode(column: "template", as: String.self))
            byKey[template.key] = Entry(
                template: template, savedAt: try row.decode(column: "created_at", as: String.self), savedBy: try row.decode(column: "created_by", as: String.self)
            )
        }
        return byKey.values.sorted { $0.template.key < $1.template.key }
    }

    /// Every saved version of `key`, newest first, then the standard text it started from (if any).
    public static func history(key: String, lenderID: String, on db: any SQLDatabase) async throws -> [Entry] {
        let rows = try await db.raw(
            """
            SELECT template, created_at, created_by FROM message_templates
            WHERE lender_id = \(bind: lenderID) AND template_key = \(bind: key) ORDER BY version DESC
            """
        ).all()
        var entries = try rows.map { row in
            Entry(
                template: try decode(try row.decode(column: "template", as: String.self)),
                savedAt: try row.decode(column: "created_at", as: String.self), savedBy: try row.decode(column: "created_by", as: String.self)
            )
        }
        if let standard = MessageTemplates.standard(key) { entries.append(Entry(template: standard, savedAt: nil, savedBy: nil)) }
        return entries
    }

    /// Saves a new version of template `key` (a new key when the lender has none by that name). Refused, with every
    /// reason in Spanish, when the text breaks the template rules (`MessageTemplate.issues`: GSM-7 SMS, no amounts in
    /// subjects, known variables…), when an existing key would change channel, or when the text is the one in force.
    /// Audited. Returns the saved version.
    public static func save(
        key: String, channel: ContactChannel, subject: String?, body: String, whatsAppName: String?, lenderID: String, actor: Administration.Actor,
        database: Database, now: Timestamp
    ) async throws -> MessageTemplate {
        try await database.transaction { db in
            let current = try await entries(lenderID: lenderID, on: db).first { $0.template.key == key }?.template
            let last = try await db.raw(
                "SELECT MAX(version) AS v FROM message_templates WHERE lender_id = \(bind: lenderID) AND template_key = \(bind: key)"
            ).first(decodingColumn: "v", as: Int?.self) ?? nil
            let version = max(last ?? 0, current?.version ?? 0) + 1
            let trimmedSubject = subject?.trimmingCharacters(in: .whitespacesAndNewlines)
            let trimmedName = whatsAppName?.trimmingCharacters(in: .whitespacesAndNewlines)
            let template = MessageTemplate(
                key: key, version: version, channel: channel, subject: channel == .email ? trimmedSubject : nil,
                body: body.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines),
                whatsAppName: channel == .whatsapp ? trimmedName : nil
            )
            var reasons = template.issues().map(\.message)
            if let current {
                if current.channel != channel {
                    reasons.append("La plantilla «\(key)» es de \(current.channel.label); las políticas la usan por ese canal. Cree una clave nueva para \(channel.label).")
                }
                if current.body == template.body, current.subject == template.subject, current.whatsAppName == template.whatsAppName, current.channel == channel {
                    reasons.append("El texto es igual a la versión vigente (\(current.version)); no hay nada que guardar.")
                }
            }
            guard reasons.isEmpty else { throw CollectionRefusal("message_template_invalid", reasons.joined(separator: " ")) }
            let json = String(decoding: try JSONEncoder().encode(template), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO message_templates (lender_id, template_key, version, template, created_at, created_by)
                VALUES (\(bind: lenderID), \(bind: key), \(bind: version), \(bind: json), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "collections.message_template", objectType: "lender", objectID: lenderID, at: now, change: json), on: db
            )
            return template
        }
    }

    /// Example values for previewing a template (a fictional borrower).
    public static let sampleValues: [String: String] = [
        "nombre": "María Guadalupe", "monto": "$1,234.56", "fecha_limite": "15/12/2026", "credito": "CR-000123", "clabe": "646180157000000004",
        "referencia_oxxo": "93000012345678", "acreedor": "Financiera Ejemplo", "telefono": "55 1234 5678", "fecha_calculo": "16/12/2026", "dias_atraso": "1",
    ]

    static func decode(_ text: String) throws -> MessageTemplate {
        try JSONDecoder().decode(MessageTemplate.self, from: Data(text.utf8))
    }
}
