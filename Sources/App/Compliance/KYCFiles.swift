import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Crypto
import Foundation
import HTTPTypes
import SQLKit
import Store

/// Clients' identification files (expedientes): documents uploaded and stored encrypted, compared with the originals
/// (cotejo) or rejected, checked against the lender's checklist for the person type, with expiry dates and periodic
/// updates by risk grade. A disbursement waits for a complete file when the lender's policy says so.
///
/// A document's bytes are base64-encoded and then encrypted as text with `FieldCipher` (field
/// `kyc_documents.content`), so key rotation re-encrypts them like any other column.
public struct KYCFiles: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    static let contentField = "kyc_documents.content"
    static let fileNameField = "kyc_documents.file_name"
    static let reasonField = "kyc_documents.rejection_reason"
    static let noteField = "kyc_updates.note"

    /// A stored document (without its content).
    public struct Document: Sendable, Codable, Equatable {
        public let id: String
        public let clientId: String
        public let kind: KYCDocumentKind
        public let subject: KYCSubject
        public let status: KYCDocumentFacts.Status
        public let fileName: String
        public let format: String
        public let sizeBytes: Int
        public let sha256: String
        public let issuedOn: CalendarDate?
        public let expiresOn: CalendarDate?
        public let receivedOn: CalendarDate
        public let uploadedAt: Timestamp
        public let uploadedBy: String
        public let reviewedAt: Timestamp?
        public let reviewedBy: String?
        public let rejectionReason: String?
        public let supersededBy: String?

        var facts: KYCDocumentFacts {
            KYCDocumentFacts(id: id, kind: kind, subject: subject, status: status, receivedOn: receivedOn, issuedOn: issuedOn, expiresOn: expiresOn, rejectionReason: rejectionReason)
        }
    }

    /// A document being uploaded, as the caller typed it.
    public struct Upload: Sendable {
        public var kind: String
        public var subject: String
        public var fileName: String
        public var content: [UInt8]
        public var issuedOn: String?
        public var expiresOn: String?

        public init(kind: String, subject: String = "cliente", fileName: String, content: [UInt8], issuedOn: String? = nil, expiresOn: String? = nil) {
            self.kind = kind
            self.subject = subject
            self.fileName = fileName
            self.content = content
            self.issuedOn = issuedOn
            self.expiresOn = expiresOn
        }
    }

    /// A client's file on a day: the check's result and what it was checked with.
    public struct FileStatus: Sendable, Codable, Equatable {
        public let clientId: String
        public let displayName: String
        public let policyVersion: Int
        public let grade: RiskGrade
        public let lastUpdate: CalendarDate
        public let check: KYCFileCheck.Status
        public var isComplete: Bool { check.isComplete }
    }

    /// Today's date in Mexico (UTC−6).
    func today() -> CalendarDate { clock().calendarDate(utcOffsetSeconds: -6 * 3600) }

    // MARK: Policy

    /// The lender's policy in force and its version (0: the standard one, nothing published).
    public func policy(lenderID: String) async throws -> (version: Int, policy: KYCPolicy) {
        try await database.withConnection { try await Self.policy(lenderID: lenderID, on: $0) }
    }

    static func policy(lenderID: String, on db: any SQLDatabase) async throws -> (version: Int, policy: KYCPolicy) {
        guard let row = try await db.raw(
            "SELECT version, policy FROM kyc_policies WHERE lender_id = \(bind: lenderID) ORDER BY version DESC LIMIT 1"
        ).first() else { return (0, .standard) }
        let policy = try JSONDecoder().decode(KYCPolicy.self, from: Data(try row.decode(column: "policy", as: String.self).utf8))
        return (try row.decode(column: "version", as: Int.self), policy)
    }

    /// Publishes a new version of the lender's policy (audited); refused with the reasons when it is not coherent.
    @discardableResult
    public func publish(_ policy: KYCPolicy, lenderID: String, actor: Administration.Actor) async throws -> Int {
        let problems = policy.problems
        guard problems.isEmpty else {
            throw APIError(
                status: .unprocessableContent, code: "kyc_policy_invalid", message: "Revise la política del expediente: " + problems.joined(separator: " "),
                details: problems.map { FieldIssue(field: "policy", code: "invalid", message: $0) }
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(policy), as: UTF8.self)
        let now = clock()
        return try await database.transaction { db in
            let version = (try await Self.policy(lenderID: lenderID, on: db).version) + 1
            try await db.raw(
                """
                INSERT INTO kyc_policies (lender_id, version, policy, created_at, created_by)
                VALUES (\(bind: lenderID), \(bind: version), \(bind: text), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "kyc.policy_published", objectType: "lender", objectID: lenderID, at: now, change: "v\(version) \(text)"),
                on: db
            )
            return version
        }
    }

    // MARK: Documents

    /// Stores a document in the client's file (audited). The same content uploaded again for the same kind and person
    /// returns the document already stored. `verifiedOnReceipt`: the person receiving it compared it with the original
    /// at once (onboarding at a branch).
    public func upload(clientID: String, _ upload: Upload, lenderID: String, actor: Administration.Actor, verifiedOnReceipt: Bool = false) async throws -> Document {
        try await self.upload(clientID: clientID, [upload], lenderID: lenderID, actor: actor, verifiedOnReceipt: verifiedOnReceipt)[0]
    }

    /// Stores several documents in the client's file in one transaction: all of them or, when one is refused, none.
    public func upload(clientID: String, _ uploads: [Upload], lenderID: String, actor: Administration.Actor, verifiedOnReceipt: Bool) async throws -> [Document] {
        let today = today()
        var checked: [Checked] = []
        var issues: [FieldIssue] = []
        for (index, upload) in uploads.enumerated() {
            let prefix = uploads.count == 1 ? "" : "documents[\(index)]."
            switch Self.check(upload, today: today) {
            case .success(let value): checked.append(value)
            case .failure(let refusal): issues += refusal.issues.map { FieldIssue(field: prefix + $0.field, code: $0.code, message: $0.message) }
            }
        }
        guard issues.isEmpty, !checked.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "kyc_document_invalid", message: checked.isEmpty && issues.isEmpty ? "No hay documentos que subir." : "Revise el documento.", details: issues)
        }
        let cipher = keys.cipher
        let now = clock()
        let valid = checked
        return try await database.transaction { db in
            let (_, policy) = try await Self.policy(lenderID: lenderID, on: db)
            guard let profile = try await Self.profile(clientID: clientID, lenderID: lenderID, keys: keys, on: db) else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            var stored: [Document] = []
            for item in valid {
                try Self.requireSubject(item.subject, in: profile)
                if item.kind.needsIssueDate, let issued = item.issued, issued.days(until: today) > Int64(policy.addressProofMaxDays) {
                    throw APIError(
                        status: .unprocessableContent, code: "kyc_document_outdated",
                        message: "El comprobante de domicilio tiene más de \(policy.addressProofMaxDays) días; pida uno reciente.",
                        details: [FieldIssue(field: "issuedOn", code: "outdated", message: "Emitido el \(issued.text).")]
                    )
                }
                if let existing = try await db.raw(
                    """
                    SELECT id FROM kyc_documents WHERE client_id = \(bind: clientID) AND kind = \(bind: item.kind.rawValue) AND subject = \(bind: item.subject.description)
                    AND sha256 = \(bind: item.digest) AND status IN ('recibido', 'cotejado')
                    AND COALESCE(issued_on, '') = \(bind: item.issued?.text ?? "") AND COALESCE(expires_on, '') = \(bind: item.expires?.text ?? "")
                    """
                ).first(decodingColumn: "id", as: String.self) {
                    stored.append(try await Self.document(existing, lenderID: lenderID, keys: keys, on: db)!)
                    continue
                }
                let id = APIClients.timeOrderedID("doc_", at: now)
                try await db.raw(
                    """
                    INSERT INTO kyc_documents (id, lender_id, client_id, kind, subject, status, file_name, format, size_bytes, sha256, content,
                                               issued_on, expires_on, received_on, uploaded_at, uploaded_by, reviewed_at, reviewed_by)
                    VALUES (\(bind: id), \(bind: lenderID), \(bind: clientID), \(bind: item.kind.rawValue), \(bind: item.subject.description),
                            \(bind: verifiedOnReceipt ? "cotejado" : "recibido"),
                            \(bind: cipher.encrypt(item.fileName, field: Self.fileNameField)), \(bind: item.format.rawValue), \(bind: Int64(item.content.count)), \(bind: item.digest),
                            \(bind: cipher.encrypt(Data(item.content).base64EncodedString(), field: Self.contentField)),
                            \(bind: item.issued?.text), \(bind: item.expires?.text), \(bind: today.text), \(bind: now.text), \(bind: actor.id),
                            \(bind: verifiedOnReceipt ? now.text : nil), \(bind: verifiedOnReceipt ? actor.id : nil))
                    """
                ).run()
                if verifiedOnReceipt { try await Self.supersede(by: id, clientID: clientID, kind: item.kind, subject: item.subject, on: db) }
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: verifiedOnReceipt ? "kyc.document_received_verified" : "kyc.document_uploaded", objectType: "client", objectID: clientID, at: now,
                                         change: "\(id) \(item.kind.rawValue) \(item.subject) \(item.format.rawValue) \(item.content.count) sha256=\(item.digest)"),
                    on: db
                )
                stored.append(try await Self.document(id, lenderID: lenderID, keys: keys, on: db)!)
            }
            return stored
        }
    }

    /// An upload whose own fields are valid (what depends on the client and the policy is checked when storing).
    struct Checked: Sendable {
        let kind: KYCDocumentKind
        let subject: KYCSubject
        let fileName: String
        let format: KYCDocumentFormat
        let content: [UInt8]
        let digest: String
        let issued: CalendarDate?
        let expires: CalendarDate?
    }

    struct Refusal: Error {
        let issues: [FieldIssue]
    }

    static func check(_ upload: Upload, today: CalendarDate) -> Result<Checked, Refusal> {
        var issues: [FieldIssue] = []
        let kind = KYCDocumentKind(rawValue: upload.kind.trimmingCharacters(in: .whitespaces).lowercased())
        if kind == nil {
            issues.append(FieldIssue(field: "kind", code: "invalid", message: "Tipo de documento desconocido; use uno de: \(KYCDocumentKind.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        let subject = KYCSubject(text: upload.subject)
        if subject == nil {
            issues.append(FieldIssue(field: "subject", code: "invalid", message: "Indique de quién es el documento: cliente, representante-N o beneficiario-N."))
        }
        let fileName = cleanFileName(upload.fileName)
        if fileName.isEmpty || fileName.count > 200 {
            issues.append(FieldIssue(field: "fileName", code: "invalid", message: "El nombre del archivo debe tener de 1 a 200 caracteres."))
        } else if CardNumberDetector.containsCardNumber(fileName) {
            issues.append(FieldIssue(field: "fileName", code: "card_number_in_text", message: "El nombre del archivo no puede contener números de tarjeta."))
        }
        let format = KYCDocumentFormat.detect(upload.content)
        if upload.content.isEmpty {
            issues.append(FieldIssue(field: "content", code: "empty", message: "El archivo está vacío; súbalo de nuevo."))
        } else if upload.content.count > KYCDocumentFormat.maximumBytes {
            issues.append(FieldIssue(field: "content", code: "too_large", message: "El archivo pesa más de 10 MB; redúzcalo (por ejemplo, escanee a 200 ppp) y súbalo de nuevo."))
        } else if format == nil {
            issues.append(FieldIssue(field: "content", code: "unsupported_format", message: "El archivo no es PDF, JPEG ni PNG; conviértalo a uno de esos formatos."))
        }
        func date(_ text: String?, field: String, label: String) -> CalendarDate? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = CalendarDate(text: text) else {
                issues.append(FieldIssue(field: field, code: "invalid", message: "\(label) se escribe AAAA-MM-DD."))
                return nil
            }
            return value
        }
        let issued = date(upload.issuedOn, field: "issuedOn", label: "La fecha de emisión")
        let expires = date(upload.expiresOn, field: "expiresOn", label: "La fecha de vencimiento")
        if let issued, issued > today {
            issues.append(FieldIssue(field: "issuedOn", code: "in_future", message: "La fecha de emisión no puede ser posterior a hoy."))
        }
        if let kind {
            if let subject, kind != .other, kind.scope != subject.scope {
                let whose = kind.scope == .client ? "del cliente (cliente)" : kind.scope == .representative ? "de un representante (representante-N)" : "de un beneficiario controlador (beneficiario-N)"
                issues.append(FieldIssue(field: "subject", code: "subject_mismatch", message: "\(kind.label) es \(whose)."))
            }
            if kind.needsExpiry, upload.expiresOn?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                issues.append(FieldIssue(field: "expiresOn", code: "required", message: "Indique la vigencia de la identificación (fecha de vencimiento)."))
            }
            if let expires, expires < today {
                issues.append(FieldIssue(field: "expiresOn", code: "expired", message: "El documento venció el \(expires.text); pida al cliente uno vigente."))
            }
            if kind.needsIssueDate, upload.issuedOn?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                issues.append(FieldIssue(field: "issuedOn", code: "required", message: "Indique la fecha de emisión del comprobante de domicilio."))
            }
        }
        guard issues.isEmpty, let kind, let subject, let format else { return .failure(Refusal(issues: issues)) }
        return .success(Checked(
            kind: kind, subject: subject, fileName: fileName, format: format, content: upload.content,
            digest: ByteEncoding.hex(Array(SHA256.hash(data: upload.content))), issued: issued, expires: expires
        ))
    }

    /// Marks the client's earlier documents of the same kind and person as replaced by `id` (never for «otro»).
    static func supersede(by id: String, clientID: String, kind: KYCDocumentKind, subject: KYCSubject, on db: any SQLDatabase) async throws {
        guard kind != .other else { return }
        try await db.raw(
            """
            UPDATE kyc_documents SET status = 'sustituido', superseded_by = \(bind: id)
            WHERE client_id = \(bind: clientID) AND kind = \(bind: kind.rawValue) AND subject = \(bind: subject.description)
            AND id < \(bind: id) AND status <> 'sustituido'
            """
        ).run()
    }

    /// Records that staff compared the document with the original (cotejo); older documents of the same kind and
    /// person are superseded by it.
    public func verify(documentID: String, clientID: String? = nil, lenderID: String, actor: Administration.Actor) async throws -> Document {
        let now = clock()
        let today = today()
        return try await database.transaction { db in
            let document = try await Self.require(documentID, clientID: clientID, lenderID: lenderID, keys: keys, on: db)
            guard document.status == .received else {
                throw APIError(status: .conflict, code: "kyc_document_status_conflict", message: "Solo se coteja un documento recibido; este está \(document.status.label.lowercased()).")
            }
            if let expires = document.expiresOn, expires < today {
                throw APIError(status: .conflict, code: "kyc_document_expired", message: "El documento venció el \(expires.text); recházelo y pida uno vigente.")
            }
            try await db.raw(
                "UPDATE kyc_documents SET status = 'cotejado', reviewed_at = \(bind: now.text), reviewed_by = \(bind: actor.id) WHERE id = \(bind: documentID) AND status = 'recibido'"
            ).run()
            try await Self.supersede(by: documentID, clientID: document.clientId, kind: document.kind, subject: document.subject, on: db)
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "kyc.document_verified", objectType: "client", objectID: document.clientId, at: now, change: documentID),
                on: db
            )
            return try await Self.document(documentID, lenderID: lenderID, keys: keys, on: db)!
        }
    }

    /// Rejects a document (not legible, not the client's, altered…) with the reason, audited.
    public func reject(documentID: String, clientID: String? = nil, reason: String, lenderID: String, actor: Administration.Actor) async throws -> Document {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...500).contains(reason.count), !CardNumberDetector.containsCardNumber(reason) else {
            throw APIError(status: .unprocessableContent, code: "reason_required", message: "Escriba el motivo del rechazo (de 3 a 500 caracteres, sin números de tarjeta).")
        }
        let now = clock()
        return try await database.transaction { db in
            let document = try await Self.require(documentID, clientID: clientID, lenderID: lenderID, keys: keys, on: db)
            guard document.status == .received || document.status == .verified else {
                throw APIError(status: .conflict, code: "kyc_document_status_conflict", message: "Este documento está \(document.status.label.lowercased()); no se puede rechazar.")
            }
            try await db.raw(
                """
                UPDATE kyc_documents SET status = 'rechazado', reviewed_at = \(bind: now.text), reviewed_by = \(bind: actor.id),
                rejection_reason = \(bind: keys.cipher.encrypt(reason, field: Self.reasonField)) WHERE id = \(bind: documentID) AND status IN ('recibido', 'cotejado')
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "kyc.document_rejected", objectType: "client", objectID: document.clientId, at: now, change: "\(documentID) \(reason)"),
                on: db
            )
            return try await Self.document(documentID, lenderID: lenderID, keys: keys, on: db)!
        }
    }

    /// A document and its content, decrypted; every reading is audited.
    public func content(documentID: String, clientID: String? = nil, lenderID: String, actor: Administration.Actor) async throws -> (Document, [UInt8]) {
        let now = clock()
        return try await database.transaction { db in
            let document = try await Self.require(documentID, clientID: clientID, lenderID: lenderID, keys: keys, on: db)
            guard let stored = try await db.raw("SELECT content FROM kyc_documents WHERE id = \(bind: documentID)").first(decodingColumn: "content", as: String.self),
                  let bytes = Data(base64Encoded: try keys.decrypt(stored, field: Self.contentField))
            else { throw APIError(status: .internalServerError, code: "kyc_document_unreadable", message: "No se pudo leer el documento; avise al administrador.") }
            guard ByteEncoding.hex(Array(SHA256.hash(data: bytes))) == document.sha256 else {
                throw APIError(status: .internalServerError, code: "kyc_document_altered", message: "El contenido del documento no coincide con su huella; avise al oficial de cumplimiento.")
            }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "kyc.document_read", objectType: "client", objectID: document.clientId, at: now, change: documentID),
                on: db
            )
            return (document, Array(bytes))
        }
    }

    /// The client's documents, newest first (superseded ones included, as history).
    public func documents(clientID: String, lenderID: String) async throws -> [Document] {
        try await database.withConnection { db in try await Self.documents(clientID: clientID, lenderID: lenderID, keys: keys, on: db) }
    }

    // MARK: File

    /// The client's file checked on `date` (today by default); nil when the client does not exist.
    public func status(clientID: String, lenderID: String, on date: CalendarDate? = nil) async throws -> FileStatus? {
        let day = date ?? today()
        return try await database.withConnection { db in try await Self.status(clientID: clientID, lenderID: lenderID, keys: keys, today: day, on: db) }
    }

    /// Records a periodic update of the client's file (data and documents reviewed with the client), audited.
    public func recordUpdate(clientID: String, note: String, lenderID: String, actor: Administration.Actor) async throws -> FileStatus {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...500).contains(note.count), !CardNumberDetector.containsCardNumber(note) else {
            throw APIError(status: .unprocessableContent, code: "note_required", message: "Describa qué se revisó en la actualización (de 3 a 500 caracteres).")
        }
        let now = clock()
        let today = today()
        return try await database.transaction { db in
            guard let status = try await Self.status(clientID: clientID, lenderID: lenderID, keys: keys, today: today, on: db) else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            let missing = status.check.items.filter { $0.state != .complete }.map(\.message) + status.check.dataIssues
            guard missing.isEmpty else {
                throw APIError(
                    status: .conflict, code: "kyc_file_incomplete",
                    message: "No se registra la actualización de un expediente incompleto: " + missing.joined(separator: " ")
                )
            }
            try await db.raw(
                """
                INSERT INTO kyc_updates (id, lender_id, client_id, updated_on, note, recorded_at, recorded_by)
                VALUES (\(bind: APIClients.timeOrderedID("kyu_", at: now)), \(bind: lenderID), \(bind: clientID), \(bind: today.text),
                        \(bind: keys.cipher.encrypt(note, field: Self.noteField)), \(bind: now.text), \(bind: actor.id))
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "kyc.file_updated", objectType: "client", objectID: clientID, at: now, change: note),
                on: db
            )
            return try await Self.status(clientID: clientID, lenderID: lenderID, keys: keys, today: today, on: db)!
        }
    }

    /// Every client of the lender whose file is incomplete or has something coming due within the reminder window,
    /// the most urgent first (incomplete, then by the nearest date).
    public func due(lenderID: String, on date: CalendarDate? = nil, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> [FileStatus] {
        let day = date ?? today()
        let ids = try await database.withConnection { db in
            try await db.raw("SELECT id FROM clients WHERE lender_id = \(bind: lenderID) ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) }
        }
        var result: [FileStatus] = []
        for (index, id) in ids.enumerated() {
            if let status = try await status(clientID: id, lenderID: lenderID, on: day), !status.isComplete || !status.check.reminders.isEmpty {
                result.append(status)
            }
            progress(index + 1, ids.count)
        }
        return result.sorted { a, b in
            if a.isComplete != b.isComplete { return !a.isComplete }
            return (Self.nearest(a), a.clientId) < (Self.nearest(b), b.clientId)
        }
    }

    static func nearest(_ status: FileStatus) -> CalendarDate {
        ([status.check.updateDue] + status.check.items.compactMap { $0.expiresSoon ? $0.expiresOn : nil }).min()!
    }

    /// Refuses a disbursement for a client whose file is incomplete when the lender's policy holds disbursements,
    /// saying what is missing. Reads no personal data: the file's shape was stored when the client was registered.
    static func requireComplete(clientID: String, lenderID: String, today: CalendarDate, on db: any SQLDatabase) async throws {
        let (_, policy) = try await policy(lenderID: lenderID, on: db)
        guard policy.blocksDisbursement else { return }
        let stored = try await db.raw("SELECT kyc_shape FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)")
            .first(decodingColumn: "kyc_shape", as: String?.self).flatMap { $0 }
        guard let stored, let shape = try? JSONDecoder().decode(KYCFileShape.self, from: Data(stored.utf8)) else {
            throw APIError(
                status: .conflict, code: "kyc_file_unchecked",
                message: "El expediente del cliente no se ha revisado en el sistema; ábralo en /clientes/\(clientID)/expediente y complételo antes de disponer."
            )
        }
        let check = try await check(clientID: clientID, lenderID: lenderID, shape: shape, names: [:], documents: try await facts(clientID: clientID, on: db), policy: policy, today: today, on: db)
        guard !check.isComplete else { return }
        throw APIError(
            status: .conflict, code: "kyc_file_incomplete",
            message: "El expediente del cliente está incompleto: \(check.reasons.joined(separator: " ")) Complételo en /clientes/\(clientID)/expediente antes de disponer.",
            details: check.reasons.map { FieldIssue(field: "clientId", code: "kyc_file_incomplete", message: $0) }
        )
    }

    // MARK: Store

    static func status(clientID: String, lenderID: String, keys: LiveKeys, today: CalendarDate, on db: any SQLDatabase) async throws -> FileStatus? {
        guard let row = try await db.raw(
            "SELECT profile, kyc_shape FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)"
        ).first() else { return nil }
        let profile = try JSONDecoder().decode(ClientProfile.self, from: Data(try keys.decrypt(try row.decode(column: "profile", as: String.self), field: ClientDirectory.field).utf8))
        let shape = KYCFileShape(profile: profile)
        let shapeText = shapeJSON(shape)
        if try row.decode(column: "kyc_shape", as: String?.self) != shapeText {
            try await db.raw("UPDATE clients SET kyc_shape = \(bind: shapeText) WHERE id = \(bind: clientID)").run()
        }
        let (version, policy) = try await policy(lenderID: lenderID, on: db)
        let documents = try await documents(clientID: clientID, lenderID: lenderID, keys: keys, on: db)
        let (grade, lastUpdate) = try await gradeAndLastUpdate(clientID: clientID, on: db)
        let check = KYCFileCheck.evaluate(
            shape: shape, names: KYCFileShape.names(of: profile), documents: documents.map(\.facts), grade: grade, lastUpdate: lastUpdate, policy: policy, today: today
        )
        return FileStatus(clientId: clientID, displayName: profile.displayName, policyVersion: version, grade: grade, lastUpdate: lastUpdate, check: check)
    }

    static func check(
        clientID: String, lenderID: String, shape: KYCFileShape, names: [KYCSubject: String], documents: [KYCDocumentFacts], policy: KYCPolicy,
        today: CalendarDate, on db: any SQLDatabase
    ) async throws -> KYCFileCheck.Status {
        let (grade, lastUpdate) = try await gradeAndLastUpdate(clientID: clientID, on: db)
        return KYCFileCheck.evaluate(shape: shape, names: names, documents: documents, grade: grade, lastUpdate: lastUpdate, policy: policy, today: today)
    }

    /// The client's risk grade (alto when it was never graded: filed before grades existed) and the day its file was
    /// last updated (its opening, in Mexico, when never).
    static func gradeAndLastUpdate(clientID: String, on db: any SQLDatabase) async throws -> (RiskGrade, CalendarDate) {
        let created = try await db.raw("SELECT created_at FROM clients WHERE id = \(bind: clientID)").first(decodingColumn: "created_at", as: String.self)
        let opened = (created.flatMap(Timestamp.init(text:)) ?? Timestamp(millisecondsSince1970: 0)).calendarDate(utcOffsetSeconds: -6 * 3600)
        let updated = try await db.raw("SELECT MAX(updated_on) AS day FROM kyc_updates WHERE client_id = \(bind: clientID)")
            .first(decodingColumn: "day", as: String?.self).flatMap { $0 }.flatMap(CalendarDate.init(text:))
        let grade = try await RiskGrades.latest(clientID, on: db)?.grade ?? .high
        return (grade, max(opened, updated ?? opened))
    }

    /// The client's documents as the check reads them, without decrypting anything.
    static func facts(clientID: String, on db: any SQLDatabase) async throws -> [KYCDocumentFacts] {
        let rows = try await db.raw(
            "SELECT id, kind, subject, status, received_on, issued_on, expires_on FROM kyc_documents WHERE client_id = \(bind: clientID) AND status <> 'sustituido'"
        ).all()
        return try rows.compactMap { row -> KYCDocumentFacts? in
            guard let kind = KYCDocumentKind(rawValue: try row.decode(column: "kind", as: String.self)),
                  let subject = KYCSubject(text: try row.decode(column: "subject", as: String.self)),
                  let status = KYCDocumentFacts.Status(rawValue: try row.decode(column: "status", as: String.self)),
                  let received = CalendarDate(text: try row.decode(column: "received_on", as: String.self))
            else { return nil }
            return KYCDocumentFacts(
                id: try row.decode(column: "id", as: String.self), kind: kind, subject: subject, status: status, receivedOn: received,
                issuedOn: try row.decode(column: "issued_on", as: String?.self).flatMap(CalendarDate.init(text:)),
                expiresOn: try row.decode(column: "expires_on", as: String?.self).flatMap(CalendarDate.init(text:))
            )
        }
    }

    /// The shape as stored in `clients.kyc_shape`.
    public static func shapeJSON(_ shape: KYCFileShape) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(shape)) ?? Data(), as: UTF8.self)
    }

    static func profile(clientID: String, lenderID: String, keys: LiveKeys, on db: any SQLDatabase) async throws -> ClientProfile? {
        guard let stored = try await db.raw(
            "SELECT profile FROM clients WHERE id = \(bind: clientID) AND lender_id = \(bind: lenderID)"
        ).first(decodingColumn: "profile", as: String.self) else { return nil }
        return try JSONDecoder().decode(ClientProfile.self, from: Data(try keys.decrypt(stored, field: ClientDirectory.field).utf8))
    }

    static func requireSubject(_ subject: KYCSubject, in profile: ClientProfile) throws {
        switch subject.scope {
        case .client: return
        case .representative:
            let count = profile.company?.representatives.count ?? 0
            guard subject.position <= count else {
                throw APIError(status: .unprocessableContent, code: "kyc_subject_unknown", message: "El cliente tiene \(count) representante(s) registrado(s); no existe el \(subject).")
            }
        case .beneficialOwner:
            let count = profile.company?.beneficialOwners.count ?? 0
            guard subject.position <= count else {
                throw APIError(status: .unprocessableContent, code: "kyc_subject_unknown", message: "El cliente tiene \(count) beneficiario(s) controlador(es) registrado(s); no existe el \(subject).")
            }
        }
    }

    static let columns = """
        id, client_id, kind, subject, status, file_name, format, size_bytes, sha256, issued_on, expires_on, received_on, uploaded_at, uploaded_by,
        reviewed_at, reviewed_by, rejection_reason, superseded_by
        """

    static func documents(clientID: String, lenderID: String, keys: LiveKeys, on db: any SQLDatabase) async throws -> [Document] {
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: columns) FROM kyc_documents WHERE client_id = \(bind: clientID) AND lender_id = \(bind: lenderID)
            ORDER BY received_on DESC, id DESC
            """
        ).all()
        return try rows.map { try decode($0, keys: keys) }
    }

    static func document(_ id: String, lenderID: String, keys: LiveKeys, on db: any SQLDatabase) async throws -> Document? {
        let row = try await db.raw(
            "SELECT \(unsafeRaw: columns) FROM kyc_documents WHERE id = \(bind: id) AND lender_id = \(bind: lenderID)"
        ).first()
        return try row.map { try decode($0, keys: keys) }
    }

    /// The document, of `clientID` when given; refused as not found otherwise (before anything is read or audited).
    static func require(_ id: String, clientID: String? = nil, lenderID: String, keys: LiveKeys, on db: any SQLDatabase) async throws -> Document {
        guard let document = try await document(id, lenderID: lenderID, keys: keys, on: db), clientID == nil || document.clientId == clientID else {
            throw APIError(status: .notFound, code: "kyc_document_not_found", message: "No existe ese documento. Revise el identificador en el expediente del cliente.")
        }
        return document
    }

    static func decode(_ row: any SQLRow, keys: LiveKeys) throws -> Document {
        func day(_ column: String) throws -> CalendarDate? { try row.decode(column: column, as: String?.self).flatMap(CalendarDate.init(text:)) }
        func instant(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: String?.self).flatMap(Timestamp.init(text:)) }
        let kind = try row.decode(column: "kind", as: String.self)
        let subject = try row.decode(column: "subject", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        return Document(
            id: try row.decode(column: "id", as: String.self),
            clientId: try row.decode(column: "client_id", as: String.self),
            kind: KYCDocumentKind(rawValue: kind) ?? .other,
            subject: KYCSubject(text: subject) ?? .client,
            status: KYCDocumentFacts.Status(rawValue: status) ?? .rejected,
            fileName: try keys.decrypt(try row.decode(column: "file_name", as: String.self), field: fileNameField),
            format: try row.decode(column: "format", as: String.self),
            sizeBytes: try row.decode(column: "size_bytes", as: Int.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            issuedOn: try day("issued_on"), expiresOn: try day("expires_on"),
            receivedOn: try day("received_on") ?? CalendarDate(daysSince1970: 0),
            uploadedAt: try instant("uploaded_at") ?? Timestamp(millisecondsSince1970: 0),
            uploadedBy: try row.decode(column: "uploaded_by", as: String.self),
            reviewedAt: try instant("reviewed_at"), reviewedBy: try row.decode(column: "reviewed_by", as: String?.self),
            rejectionReason: try row.decode(column: "rejection_reason", as: String?.self).map { try keys.decrypt($0, field: reasonField) },
            supersededBy: try row.decode(column: "superseded_by", as: String?.self)
        )
    }

    /// The file name without any folder, control characters or surrounding spaces.
    static func cleanFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        return String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init)).trimmingCharacters(in: .whitespaces)
    }
}
