import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird

/// The one error shape of the API: `{"error":{"code":"…","message":"…","request_id":"…"}}`.
///
/// `code` is stable and machine-readable; `message` is in Spanish and says what to do next.
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Field-level problems (validation), when there are any: `"details":[{"field","code","message"}]`.
    public let details: [FieldDetail]

    /// One problem with one field of the request.
    public typealias FieldDetail = FieldIssue

    public init(status: HTTPResponse.Status, code: String, message: String, details: [FieldDetail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// A `CarteraError` raised by the domain or the store, answered with `status` (400 unless said otherwise).
    public init(_ error: any CarteraError, status: HTTPResponse.Status = .badRequest) {
        self.init(status: status, code: error.code, message: error.message)
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let request_id: String
            let details: [FieldDetail]?
        }
        let error: Detail
    }

    /// 401: no valid access token.
    static let unauthenticated = APIError(
        status: .unauthorized,
        code: "unauthorized",
        message: "Se requiere un token de acceso válido: obténgalo en POST /oauth/token y envíelo como Authorization: Bearer …"
    )

    /// 403: the token lacks a scope.
    static func missingScope(_ scope: String) -> APIError {
        APIError(status: .forbidden, code: "insufficient_scope", message: "El token no tiene el alcance «\(scope)» que requiere esta operación.")
    }

    /// The JSON response for this error.
    func response(requestID: String) -> Response {
        let body = Body(error: .init(code: code, message: message, request_id: requestID, details: details.isEmpty ? nil : details))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":"Error interno."}}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized {
            headers[.wwwAuthenticate] = code == "invalid_client" ? #"Basic realm="cartera""# : #"Bearer realm="cartera""#
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The API error for an error thrown by Hummingbird itself (unknown route, unreadable body…).
    static func from(httpStatus status: HTTPResponse.Status, detail: String?) -> APIError {
        switch status {
        case .notFound:
            APIError(status: status, code: "not_found", message: "La ruta solicitada no existe. Revise la dirección y el método HTTP.")
        case .methodNotAllowed:
            APIError(status: status, code: "method_not_allowed", message: "El método HTTP no está permitido en esta ruta.")
        case .badRequest:
            APIError(
                status: status,
                code: "bad_request",
                message: "La solicitud no se pudo leer. Revise que el cuerpo sea JSON válido y tenga los campos requeridos."
            )
        case .contentTooLarge:
            APIError(status: status, code: "payload_too_large", message: "El cuerpo de la solicitud es demasiado grande.")
        case .unauthorized:
            APIError(status: status, code: "unauthorized", message: "Se requiere autenticación. Inicie sesión u obtenga un token de acceso.")
        case .forbidden:
            APIError(status: status, code: "forbidden", message: "No tiene permiso para esta operación.")
        case .unsupportedMediaType:
            APIError(status: status, code: "unsupported_media_type", message: "Tipo de contenido no soportado. Envíe application/json.")
        default:
            if status.code >= 500 {
                APIError(status: status, code: "internal_error", message: "Ocurrió un error interno. Intente de nuevo; si persiste, informe el identificador de la solicitud.")
            } else {
                APIError(status: status, code: "http_\(status.code)", message: "La solicitud no se pudo atender (\(status.code)).")
            }
        }
    }
}
