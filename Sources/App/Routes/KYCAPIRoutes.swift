import CarteraCore
import Compliance
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/clients/{id}/kyc` and `/documents`: a client's identification file for API clients — its checklist,
/// its documents, uploading one (the raw file as the body) and reading one back. Cotejo with the original is done by
/// staff in the back office.
struct KYCAPIRoutes {
    let files: KYCFiles
    let access: APIAccess

    func add(to api: RouterGroup<AppRequestContext>) {
        let files = files
        let access = access

        api.get("/clients/:id/kyc") { _, context -> KYCFiles.FileStatus in
            let client = try await access.require("clients:read", context)
            guard let id = context.parameters.get("id"), let status = try await files.status(clientID: id, lenderID: client.lenderID) else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            return status
        }

        api.get("/clients/:id/documents") { _, context -> Documents in
            let client = try await access.require("clients:read", context)
            let id = context.parameters.get("id") ?? ""
            guard try await files.status(clientID: id, lenderID: client.lenderID) != nil else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            return Documents(documents: try await files.documents(clientID: id, lenderID: client.lenderID))
        }

        // The file is the body (PDF, JPEG or PNG); what it is goes in the query: kind, subject, fileName, issuedOn, expiresOn.
        api.post("/clients/:id/documents") { request, context -> Response in
            let client = try await access.require("clients:write", context)
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query[name[...]].map(String.init) }
            guard let kind = value("kind") else {
                throw APIError(status: .badRequest, code: "kind_required", message: "Indique el tipo de documento en ?kind= (por ejemplo identificacion_oficial).")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: KYCDocumentFormat.maximumBytes + 1)
            } catch {
                throw APIError(status: .contentTooLarge, code: "too_large", message: "El archivo pesa más de 10 MB; redúzcalo y súbalo de nuevo.")
            }
            let upload = KYCFiles.Upload(
                kind: kind, subject: value("subject") ?? "cliente", fileName: value("fileName") ?? "documento",
                content: Array(body.readableBytesView), issuedOn: value("issuedOn"), expiresOn: value("expiresOn")
            )
            let document = try await files.upload(clientID: context.parameters.get("id") ?? "", upload, lenderID: client.lenderID, actor: APIAccess.actor(client, context))
            var response = try document.response(from: request, context: context)
            response.status = .created
            return response
        }

        api.get("/clients/:id/documents/:document") { _, context -> Response in
            let client = try await access.require("kyc_documents:read", context)
            let (document, bytes) = try await files.content(
                documentID: context.parameters.get("document") ?? "", clientID: context.parameters.get("id") ?? "", lenderID: client.lenderID,
                actor: APIAccess.actor(client, context)
            )
            let format = KYCDocumentFormat(rawValue: document.format) ?? .pdf
            return Response(
                status: .ok,
                headers: [.contentType: format.contentType, .cacheControl: "no-store", .contentDisposition: "attachment; filename=\"\(document.id).\(format.fileExtension)\""],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    struct Documents: ResponseEncodable {
        let documents: [KYCFiles.Document]
    }
}

extension KYCFiles.FileStatus: ResponseEncodable {}
extension KYCFiles.Document: ResponseEncodable {}
