import CarteraCore
import CarteraSecurity
import Clients
import Hummingbird
import Logging
import Store

/// Turns every error into a response: the API's JSON error shape, or a Spanish HTML page for a browser outside the
/// API. Unknown errors become a 500 whose text reveals nothing internal; their details go to the log with the request
/// id, and every 5xx is written to the audit log (`server.error`).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let audit: AuditWriter
    let pages: WebPages
    let clock: @Sendable () -> Timestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let error: APIError
        do {
            return try await next(request, context)
        } catch let caught as APIError {
            error = caught
        } catch let caught as ClientValidation.Rejected {
            error = APIError(
                status: .unprocessableContent, code: caught.code, message: caught.message,
                details: caught.issues
            )
        } catch let caught as ClientDirectory.Duplicate {
            error = APIError(caught, status: .conflict)
        } catch let caught as FieldCipher.Unreadable {
            // Stored data that cannot be decrypted is the server's fault, never the caller's: a 5xx (audited), with
            // the detail only in the log.
            context.logger.critical("stored value unreadable", metadata: ["detail": "\(caught.detail)"])
            return await respond(APIError.from(httpStatus: .internalServerError, detail: nil), request, context)
        } catch let caught as StoreError {
            // The database stayed too busy through every retry: the caller may retry (idempotently) in a moment.
            if case .busy = caught {
                error = APIError(status: .serviceUnavailable, code: caught.code, message: "El sistema está muy ocupado; reintente en unos segundos con la misma Idempotency-Key.")
            } else {
                error = APIError(caught)
            }
        } catch let caught as any CarteraError {
            error = APIError(caught)
        } catch let caught as any HTTPResponseError {
            error = APIError.from(httpStatus: caught.status, detail: nil)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return await respond(APIError.from(httpStatus: .internalServerError, detail: nil), request, context)
        }
        if error.status.code >= 500 { context.logger.error("request failed", metadata: ["code": "\(error.code)"]) }
        return await respond(error, request, context)
    }

    func respond(_ error: APIError, _ request: Request, _ context: Context) async -> Response {
        if error.status.code >= 500 {
            let entry = AuditEntry.draft(
                at: clock(), actorKind: context.client == nil ? .anonymous : .apiClient, actorID: context.client?.clientID ?? "",
                ipAddress: context.remoteAddress, action: "server.error", objectType: "route",
                objectID: "\(request.method.rawValue) \(request.uri.path)".prefix(200).description, outcome: .error, requestID: context.requestID
            )
            do {
                try await audit.append(entry)
            } catch {
                context.logger.critical("could not write the audit entry of a server error", metadata: ["error": "\(error)"])
            }
        }
        guard Self.wantsHTML(request) else { return error.response(requestID: context.requestID) }
        let web = WebRequest(request: request, context: context, session: nil, form: [:])
        let message = error.status.code >= 500
            ? "Ocurrió un error interno. Intente de nuevo; si persiste, informe a soporte el identificador \(context.requestID)."
            : error.message
        return pages.message(title: "No se pudo completar la solicitud", message: message, web: web, status: error.status, next: ("/", "Ir al inicio"))
    }

    /// A browser page request: it accepts HTML and is not an API call.
    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.uri.path
        guard !path.hasPrefix("/api/"), !path.hasPrefix("/oauth/") else { return false }
        return request.headers[.accept]?.contains("text/html") ?? false
    }
}
