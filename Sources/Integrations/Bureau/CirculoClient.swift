import AsyncHTTPClient
import CarteraCore
import Foundation
import NIOHTTP1

/// Círculo de Crédito's "Reporte de Crédito Consolidado con FICO Score" API v2: `POST {base}/v2/rccficoscore` with the
/// person as JSON, the `x-api-key`, `username` and `password` headers, and `x-signature` (ECDSA P-256 over the exact
/// body, see `CirculoSigner`).
///
/// Every query is charged and leaves a mark on the person's file, so a query is never repeated by this client: it is
/// sent once, and only a 429 (Círculo says it did not take it) is tried again. A query that got no answer is reported
/// `.unavailable`; whether to ask again is a person's decision.
public struct CirculoClient: Sendable {
    public struct Settings: Sendable {
        /// Where the API is: `CirculoClient.productionBase`, `CirculoClient.sandboxBase`, or Cartera's own sandbox
        /// (read on each query).
        public var baseURL: @Sendable () -> String
        public var apiKey: String
        public var username: String
        public var password: String
        /// The lender's key, whose public half is registered with Círculo.
        public var signer: CirculoSigner

        public init(baseURL: @escaping @Sendable () -> String, apiKey: String, username: String, password: String, signer: CirculoSigner) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.username = username
            self.password = password
            self.signer = signer
        }
    }

    public static let productionBase = "https://services.circulodecredito.com.mx"
    /// Círculo's own sandbox (fixed answers for its test people).
    public static let sandboxBase = "https://services.circulodecredito.com.mx/sandbox"
    /// The report's path under the base.
    public static let path = "/v2/rccficoscore"

    public let settings: Settings
    let http: ResilientHTTPClient

    /// - Parameters:
    ///   - breaker: Círculo's circuit breaker (shared by every client of the same service).
    ///   - timeout: how long one query may take (a report takes a few seconds to assemble).
    public init(settings: Settings, http: HTTPClient = .shared, breaker: CircuitBreaker = CircuitBreaker(), timeout: Duration = .seconds(30)) {
        self.settings = settings
        self.http = ResilientHTTPClient(
            resolveBaseURL: settings.baseURL, http: http, policy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(500), maximumDelay: .seconds(5)),
            breaker: breaker, timeout: timeout
        )
    }

    /// Asks Círculo for `request`'s person's report (sent cleaned, see `CirculoRequest.cleaned()`).
    ///
    /// - Returns: the report as read, and the answer's exact bytes (to keep as the record of what Círculo said).
    public func report(_ request: CirculoRequest) async throws(CirculoError) -> (report: CirculoReport, body: [UInt8]) {
        let query = request.cleaned()
        guard query.folioOtorgante.count <= CirculoRequest.maximumFolioLength else {
            throw .refused(status: 0, problems: [
                .init(codigo: "folioOtorgante", mensaje: "El folio del otorgante tiene más de \(CirculoRequest.maximumFolioLength) caracteres")
            ])
        }
        let body: [UInt8]
        let signature: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = Array(try encoder.encode(query))
            // The signature covers these very bytes, which are sent untouched.
            signature = try settings.signer.signature(for: body)
        } catch {
            throw .invalidResponse(detail: "no se pudo preparar la consulta: \(error)")
        }
        let response: ResilientHTTPClient.Response
        do {
            response = try await http.send(.init(
                method: .POST, path: Self.path,
                headers: [
                    ("Content-Type", "application/json"), ("Accept", "application/json"), ("x-api-key", settings.apiKey),
                    ("username", settings.username), ("password", settings.password), ("x-signature", signature),
                ],
                body: body, idempotent: false
            ))
        } catch {
            switch error {
            case .unavailable(let detail), .outcomeUnknown(let detail): throw .unavailable(detail: detail)
            case .circuitOpen(let retryAt): throw .unavailable(detail: "circuito abierto hasta \(retryAt.text)")
            }
        }
        return try Self.read(response)
    }

    /// Círculo's answer read: the report, or the error its status and `errores` mean.
    static func read(_ response: ResilientHTTPClient.Response) throws(CirculoError) -> (report: CirculoReport, body: [UInt8]) {
        let status = response.status
        if (200..<300).contains(status) {
            do {
                let report = try JSONDecoder().decode(CirculoReport.self, from: Data(response.body))
                return (report, response.body)
            } catch {
                throw .invalidResponse(detail: "HTTP \(status): el reporte no se pudo leer (\(String(describing: error).prefix(200)))")
            }
        }
        let found = Self.problems(in: response.body)
        switch status {
        case 401, 403:
            throw .unauthorized(status: status, problems: found)
        case 404:
            // Only Círculo's own 404 (with its `errores`) is a no-hit; a bare 404 is a wrong address.
            guard !found.isEmpty else { throw .invalidResponse(detail: "HTTP 404 sin errores: revise la dirección del servicio") }
            throw .notFound
        case 500...599:
            throw .unavailable(detail: "HTTP \(status)")
        default:
            guard !found.isEmpty else { throw .invalidResponse(detail: "HTTP \(status) sin errores") }
            throw .refused(status: status, problems: found)
        }
    }

    /// The entries of `{"errores":[{"codigo":…,"mensaje":…}]}`; empty when the body has none.
    static func problems(in body: [UInt8]) -> [CirculoError.Problem] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let list = (object["errores"] ?? object["errors"]) as? [[String: Any]]
        else { return [] }
        return list.compactMap { entry in
            let codigo = JSONFields.text(entry, "codigo") ?? JSONFields.text(entry, "code") ?? ""
            let mensaje = JSONFields.text(entry, "mensaje") ?? JSONFields.text(entry, "message") ?? ""
            return codigo.isEmpty && mensaje.isEmpty ? nil : CirculoError.Problem(codigo: codigo, mensaje: mensaje)
        }
    }
}
