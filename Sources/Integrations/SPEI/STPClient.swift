import CarteraCore
import Foundation
import NIOHTTP1

/// An STP-style SPEI participant's order API: `PUT {base}/ordenPago/registra` with a signed JSON order.
///
/// Answers (from STP's public client code): `{"resultado": {"id": n}}` when the order was taken;
/// `{"resultado": {"id": n, "descripcionError": "…"}}` when it was not. The tracking key is unique at STP, so sending
/// the same order again is safe: a try whose answer was lost is answered "clave de rastreo … ya fue utilizada" the
/// second time, which `register` reports as `.alreadyRegistered`.
public struct STPClient: Sendable {
    /// The lender's company at the participant and the account orders leave from.
    public struct Company: Sendable, Equatable {
        public var empresa: String
        /// The lender's own CLABE at the participant (cuenta ordenante).
        public var cuentaOrdenante: String
        public var nombreOrdenante: String
        public var rfcCurpOrdenante: String?

        public init(empresa: String, cuentaOrdenante: String, nombreOrdenante: String, rfcCurpOrdenante: String?) {
            self.empresa = empresa
            self.cuentaOrdenante = cuentaOrdenante
            self.nombreOrdenante = nombreOrdenante
            self.rfcCurpOrdenante = rfcCurpOrdenante
        }
    }

    /// What became of a registration.
    public enum Registration: Sendable, Equatable {
        /// Taken now, with STP's order id.
        case registered(id: Int)
        /// An earlier try of this very order was taken (its answer was lost).
        case alreadyRegistered
    }

    public let company: Company
    let http: ResilientHTTPClient
    let signer: STPSigner

    public init(company: Company, http: ResilientHTTPClient, signer: STPSigner) {
        self.company = company
        self.http = http
        self.signer = signer
    }

    /// Signs and sends `order`.
    public func register(_ order: STPOrder) async throws(SPEIError) -> Registration {
        let signed: STPOrder
        let body: Data
        do {
            signed = try signer.signed(order)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            body = try encoder.encode(signed)
        } catch {
            throw .invalidResponse(detail: "no se pudo firmar la orden: \(error)")
        }
        let response: ResilientHTTPClient.Response
        do {
            response = try await http.send(.init(
                method: .PUT, path: "/ordenPago/registra", headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                body: Array(body), idempotent: true
            ))
        } catch {
            switch error {
            case .unavailable(let detail), .outcomeUnknown(let detail): throw .unavailable(detail: detail)
            case .circuitOpen(let retryAt): throw .circuitOpen(retryAt: retryAt)
            }
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
              let result = object["resultado"] as? [String: Any]
        else {
            throw .invalidResponse(detail: "HTTP \(response.status) sin resultado")
        }
        let id = JSONFields.integer(result, "id").map { Int($0) }
        if let description = JSONFields.text(result, "descripcionError") {
            if Self.isTrackingKeyInUse(description) { return .alreadyRegistered }
            throw .refused(id: id, description: description)
        }
        guard (200..<300).contains(response.status), let id, id > 0 else {
            throw .invalidResponse(detail: "HTTP \(response.status) sin id de orden")
        }
        return .registered(id: id)
    }

    /// STP's answer to a tracking key already taken ("La clave de rastreo … ya fue utilizada").
    static func isTrackingKeyInUse(_ description: String) -> Bool {
        let folded = description.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return folded.contains("clave de rastreo") && folded.contains("ya fue utilizada")
    }
}
