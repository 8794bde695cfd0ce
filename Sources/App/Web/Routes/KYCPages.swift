import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/clientes/{id}/expediente`: the client's identification file — what it needs and lacks, its documents (opened only
/// by roles that read identity documents, every opening audited), uploads, cotejo, rejection and periodic updates.
struct KYCPages {
    let web: WebRouter
    let files: KYCFiles

    func add() {
        let pages = web.pages
        let files = files

        web.get("/clientes/:id/expediente", .permission(.readClients)) { request in
            try await Self.page(pages, files, request, notice: nil, error: nil)
        }

        web.post("/clientes/:id/expediente", .permission(.manageClients)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            guard let file = request.files["archivo"], !file.data.isEmpty else {
                return try await Self.page(pages, files, request, notice: nil, error: "Elija el archivo del documento.", status: .unprocessableContent)
            }
            let upload = KYCFiles.Upload(
                kind: request.field("tipo"), subject: request.field("persona").nilIfEmpty ?? "cliente", fileName: file.fileName.isEmpty ? "documento" : file.fileName,
                content: Array(file.data), issuedOn: request.field("emision").nilIfEmpty, expiresOn: request.field("vencimiento").nilIfEmpty
            )
            return try await Self.attempt(pages, files, request) {
                let document = try await files.upload(clientID: id, upload, lenderID: user.lenderID, actor: request.actor)
                return document.status == .received
                    ? "«\(document.kind.label)»: documento recibido; falta cotejarlo contra el original."
                    : "«\(document.kind.label)»: ese mismo archivo ya estaba en el expediente (\(document.status.label.lowercased()))."
            }
        }

        web.post("/clientes/:id/expediente/actualizacion", .permission(.manageClients)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            return try await Self.attempt(pages, files, request) {
                let status = try await files.recordUpdate(clientID: id, note: request.field("nota"), lenderID: user.lenderID, actor: request.actor)
                return "Actualización registrada; la próxima vence el \(status.check.updateDue.text)."
            }
        }

        web.post("/clientes/:id/expediente/:document/cotejo", .permission(.manageClients)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let document = request.context.parameters.get("document") else {
                return WebPages.redirect(to: "/login")
            }
            return try await Self.attempt(pages, files, request) {
                let verified = try await files.verify(documentID: document, clientID: id, lenderID: user.lenderID, actor: request.actor)
                return "«\(verified.kind.label)»: documento cotejado con el original."
            }
        }

        web.post("/clientes/:id/expediente/:document/rechazo", .permission(.manageClients)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let document = request.context.parameters.get("document") else {
                return WebPages.redirect(to: "/login")
            }
            return try await Self.attempt(pages, files, request) {
                let rejected = try await files.reject(documentID: document, clientID: id, reason: request.field("motivo"), lenderID: user.lenderID, actor: request.actor)
                return "«\(rejected.kind.label)»: documento rechazado."
            }
        }

        web.get("/clientes/:id/expediente/:document", .permission(.readIdentityDocuments)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id"), let documentID = request.context.parameters.get("document") else {
                return WebPages.redirect(to: "/login")
            }
            do {
                let (document, bytes) = try await files.content(documentID: documentID, clientID: id, lenderID: user.lenderID, actor: request.actor)
                let format = KYCDocumentFormat(rawValue: document.format) ?? .pdf
                var headers = HTTPFields()
                headers[.contentType] = format.contentType
                headers[.cacheControl] = "no-store"
                headers[.contentDisposition] = "inline; filename=\"\(document.id).\(format.fileExtension)\""
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            } catch let error as APIError {
                return pages.message(title: "Documento", message: error.message, web: request, status: error.status, next: ("/clientes/\(id)/expediente", "Ir al expediente"))
            }
        }
    }

    /// Runs a change and shows the file again with its outcome (the problem, in Spanish, when refused).
    static func attempt(_ pages: WebPages, _ files: KYCFiles, _ request: WebRequest, _ change: () async throws -> String) async throws -> Response {
        do {
            return try await page(pages, files, request, notice: try await change(), error: nil)
        } catch let error as APIError {
            let detail = ([error.message] + error.details.map(\.message)).joined(separator: " ")
            return try await page(pages, files, request, notice: nil, error: detail, status: error.status)
        }
    }

    static func page(
        _ pages: WebPages, _ files: KYCFiles, _ request: WebRequest, notice: String?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
        guard let file = try await files.status(clientID: id, lenderID: user.lenderID) else {
            return pages.message(
                title: "Cliente no encontrado", message: "No existe ese cliente. Búsquelo por RFC, CURP, teléfono o correo.",
                web: request, status: .notFound, next: ("/clientes", "Ir a clientes")
            )
        }
        let (_, policy) = try await files.policy(lenderID: user.lenderID)
        let documents = try await files.documents(clientID: id, lenderID: user.lenderID)
        let canManage = user.role.allows(.manageClients)
        let canOpen = user.role.allows(.readIdentityDocuments)
        let names = Dictionary(file.check.items.map { ($0.subject, $0.subjectName) }, uniquingKeysWith: { first, _ in first })
        func whose(_ subject: KYCSubject) -> String {
            subject == .client ? "Cliente" : "\(subject.scope == .representative ? "Representante" : "Beneficiario") \(subject.position)" + (names[subject].map { ": \($0)" } ?? "")
        }
        let states: [KYCFileCheck.Item.State: String] = [
            .missing: "Falta", .awaitingVerification: "Por cotejar", .rejected: "Rechazado", .expired: "Vencido", .outdated: "Antiguo", .complete: "Completo",
        ]
        var subjects: [KYCSubject] = [.client]
        subjects += Set(file.check.items.map(\.subject)).filter { $0 != .client }.sorted()
        let values: [String: Any] = [
            "clientId": id, "displayName": file.displayName, "complete": file.isComplete, "blocks": policy.blocksDisbursement,
            "grade": file.grade.rawValue, "policyVersion": file.policyVersion, "lastUpdate": file.lastUpdate.text,
            "updateDue": file.check.updateDue.text, "overdue": file.check.updateOverdue,
            "items": file.check.items.map { item -> [String: Any] in
                [
                    "label": item.kind.label + (item.subject == .client ? "" : " — \(whose(item.subject))"), "state": item.state.rawValue,
                    "stateLabel": (states[item.state] ?? "") + (item.expiresSoon ? " (vence pronto)" : ""), "message": item.message,
                ]
            },
            "dataIssues": file.check.dataIssues,
            "documents": documents.map { document -> [String: Any] in
                [
                    "id": document.id, "clientId": id, "kind": document.kind.label, "subject": whose(document.subject), "fileName": document.fileName,
                    "size": ByteCountFormatter.string(fromByteCount: Int64(document.sizeBytes), countStyle: .file),
                    "issuedOn": document.issuedOn?.text ?? "—", "expiresOn": document.expiresOn?.text ?? "—",
                    "receivedOn": document.receivedOn.text, "uploadedBy": document.uploadedBy, "status": document.status.label,
                    "reason": document.rejectionReason ?? "", "canOpen": canOpen, "canReview": canManage && document.status == .received,
                ]
            },
            "canManage": canManage,
            "kinds": KYCDocumentKind.allCases.map { ["value": $0.rawValue, "label": $0.label] },
            "subjects": subjects.map { ["value": $0.description, "label": whose($0)] },
        ]
        return pages.render("kyc_file", title: "Expediente de \(file.displayName)", web: request, values: values, notice: notice, error: error, status: status, current: "/clientes")
    }
}
