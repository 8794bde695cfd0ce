import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOCore

/// `POST /webhooks/stp/abono` (deposits) and `POST /webhooks/stp/estado` (order status): the participant's callbacks.
/// STP does not sign them, so only the addresses in `CARTERA_STP_CALLBACK_ALLOW` are heard (403 otherwise); every
/// state is taken once. Deposits are answered `{"mensaje":"confirmar"}` (200) or refused with `{"id": causa,
/// "mensaje": …}` (400) so the participant returns the money — or, when they came in the legacy PascalCase format,
/// `{"estado":"LIQUIDACION"}` / `{"estado":"DEVOLUCION"}`; status callbacks `{"mensaje":"recibido"}`.
struct SPEICallbackRoutes {
    let transfers: SPEITransfers
    static let bodyLimit = 64 * 1024

    func add(to router: Router<AppRequestContext>) {
        router.post("/webhooks/stp/abono") { request, context -> Response in
            let body = try await self.read(request, context)
            let (answer, legacy) = try await transfers.deposit(body)
            return legacy ? Self.legacyAnswer(answer) : Self.answer(answer, accepted: "confirmar")
        }
        router.post("/webhooks/stp/estado") { request, context -> Response in
            let body = try await self.read(request, context)
            return Self.answer(try await transfers.orderStatus(body), accepted: "recibido")
        }
    }

    func read(_ request: Request, _ context: AppRequestContext) async throws -> [UInt8] {
        guard let settings = transfers.settings else {
            throw APIError(status: .serviceUnavailable, code: "spei_not_configured", message: "SPEI por STP no está configurado en este servidor.")
        }
        guard settings.callbackAllow.contains(context.remoteAddress) else {
            throw APIError(status: .forbidden, code: "spei_callback_forbidden", message: "Los avisos de STP solo se aceptan desde sus direcciones configuradas.")
        }
        return Array(try await request.body.collect(upTo: Self.bodyLimit).readableBytesView)
    }

    /// The legacy format's reply: `{"estado": "LIQUIDACION"}` to take the deposit, `"DEVOLUCION"` to return it.
    static func legacyAnswer(_ answer: SPEITransfers.CallbackAnswer) -> Response {
        let estado = answer == .accepted ? "LIQUIDACION" : "DEVOLUCION"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"estado":"\#(estado)"}"#)))
    }

    static func answer(_ answer: SPEITransfers.CallbackAnswer, accepted: String) -> Response {
        let (status, object): (HTTPResponse.Status, [String: Any]) =
            switch answer {
            case .accepted: (.ok, ["mensaje": accepted])
            case .rejected(let cause, let message): (.badRequest, ["id": cause, "mensaje": message])
            }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
