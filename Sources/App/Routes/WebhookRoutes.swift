import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations

/// `POST /webhooks/{stripe|conekta|openpay|mercadopago|paypal}`: public (the providers authenticate each delivery
/// themselves, checked by `GatewayInbox`). 200 once the event is stored (or was already); 401 for a missing or wrong
/// signature, 400 for a stale or unreadable one, 503 while the provider is not configured (the provider retries).
struct WebhookRoutes {
    let inbox: GatewayInbox
    /// Larger bodies are refused before anything reads them.
    static let bodyLimit = 512 * 1024

    struct Acknowledgement: ResponseEncodable {
        let received: Bool
        let eventId: String
        let duplicate: Bool
    }

    func add(to router: Router<AppRequestContext>) {
        router.post("/webhooks/:provider") { request, context -> Acknowledgement in
            guard let name = context.parameters.get("provider"), let provider = GatewayProvider(rawValue: name) else {
                throw APIError(status: .notFound, code: "webhook_provider_unknown", message: "No hay avisos para ese proveedor.")
            }
            let body = try await request.body.collect(upTo: Self.bodyLimit)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            do {
                let receipt = try await inbox.receive(
                    provider, WebhookRequest(headers: headers, query: query, body: Array(body.readableBytesView)),
                    ipAddress: context.remoteAddress, requestID: context.requestID
                )
                return Acknowledgement(received: true, eventId: receipt.eventID, duplicate: receipt.duplicate)
            } catch let rejection as WebhookRejection {
                throw APIError(status: Self.status(rejection.reason), code: rejection.code, message: rejection.message)
            }
        }
    }

    static func status(_ reason: WebhookRejection.Reason) -> HTTPResponse.Status {
        switch reason {
        case .missingSignature, .invalidSignature: .unauthorized
        case .staleTimestamp, .malformed: .badRequest
        case .notConfigured: .serviceUnavailable
        }
    }
}
