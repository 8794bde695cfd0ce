import CarteraCore

/// What went wrong asking Círculo de Crédito for a report, in terms a person can act on.
public enum CirculoError: CarteraError, Equatable {
    /// One entry of Círculo's `errores`: its code (`400.1`) and message (`Falta propiedad requerida: primerNombre`).
    public struct Problem: Sendable, Equatable {
        public let codigo: String
        public let mensaje: String

        public init(codigo: String, mensaje: String) {
            self.codigo = codigo
            self.mensaje = mensaje
        }
    }

    /// Círculo has no file for this person (a "no hit", 404.1): a fact about the applicant, not a failure.
    case notFound
    /// Círculo refused the query as written (HTTP `status`, usually 400, with its `errores`). Status 0: Cartera refused
    /// it before sending, so nothing was asked or charged.
    case refused(status: Int, problems: [Problem])
    /// Círculo did not accept Cartera's credentials: the API key, user and password (401) or the key or signature (403).
    case unauthorized(status: Int, problems: [Problem])
    /// Círculo did not answer, or answered an error of its own (5xx), or its circuit is open: no report was obtained,
    /// although a query that got no answer may have been registered.
    case unavailable(detail: String)
    /// Círculo answered something Cartera cannot read.
    case invalidResponse(detail: String)

    public var code: String {
        switch self {
        case .notFound: "circulo_not_found"
        case .refused: "circulo_refused"
        case .unauthorized: "circulo_unauthorized"
        case .unavailable: "circulo_unavailable"
        case .invalidResponse: "circulo_invalid_response"
        }
    }

    public var message: String {
        switch self {
        case .notFound:
            "Círculo de Crédito no tiene historial de esta persona. Verifique que el nombre, la fecha de nacimiento, el RFC y el domicilio "
                + "sean correctos; si lo son, evalúe la solicitud como cliente sin historial crediticio."
        case .refused(let status, let problems):
            status == 0
                ? "Cartera no envió la consulta a Círculo de Crédito: \(Self.describe(problems)). Corrija los datos y consulte de nuevo."
                : "Círculo de Crédito rechazó la consulta: \(Self.describe(problems)). Corrija los datos del solicitante y consulte de nuevo."
        case .unauthorized(let status, let problems):
            "Círculo de Crédito no aceptó las credenciales de Cartera (HTTP \(status)\(problems.isEmpty ? "" : ": " + Self.describe(problems))). "
                + "Un administrador debe revisar la API key, el usuario y la contraseña, y que la llave de firma sea la registrada con Círculo; "
                + "no repita la consulta hasta corregirlo."
        case .unavailable:
            "Círculo de Crédito no respondió o está fuera de servicio; no se obtuvo el reporte. La consulta pudo quedar registrada: "
                + "espere unos minutos antes de repetirla y, si la falla continúa, avise a soporte."
        case .invalidResponse:
            "Círculo de Crédito respondió algo que Cartera no entiende; no se obtuvo el reporte. Avise a soporte antes de repetir la consulta, "
                + "que pudo quedar registrada."
        }
    }

    /// The problems as one sentence: `mensaje (codigo); …`.
    static func describe(_ problems: [Problem]) -> String {
        problems.isEmpty ? "sin detalle" : problems.map { "\($0.mensaje) (\($0.codigo))" }.joined(separator: "; ")
    }
}
