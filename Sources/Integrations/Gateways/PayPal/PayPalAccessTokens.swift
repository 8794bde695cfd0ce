import CarteraCore
import Foundation
import NIOHTTP1

/// PayPal's OAuth2 client-credentials tokens (`POST /v1/oauth2/token`, HTTP Basic with the client id and secret), kept
/// in an `OAuth2TokenCache`: refreshed before they expire, one fetch in flight, dropped when PayPal refuses one.
public struct PayPalAccessTokens: Sendable {
    let cache: OAuth2TokenCache

    public init(client: ProviderHTTPClient, clientID: String, secret: String, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        cache = OAuth2TokenCache(clock: clock) { try await Self.fetch(client: client, clientID: clientID, secret: secret) }
    }

    /// How many tokens were fetched (for tests and metrics).
    public var fetched: Int { get async { await cache.fetched } }

    /// A token that is not about to expire.
    public func token() async throws(GatewayError) -> String {
        do {
            return try await cache.token()
        } catch {
            throw (error as? GatewayError) ?? .invalidResponse(provider: .paypal, detail: "\(error)")
        }
    }

    /// Forgets the token (PayPal answered 401 to it).
    public func invalidate() async { await cache.invalidate() }

    static func fetch(client: ProviderHTTPClient, clientID: String, secret: String) async throws(GatewayError) -> (token: String, lifetimeSeconds: Int64) {
        let credentials = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let response = try await client.send(.init(
            method: .POST, path: "/v1/oauth2/token",
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array("grant_type=client_credentials".utf8), idempotent: true
        ))
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw .invalidResponse(provider: .paypal, detail: "HTTP \(response.status) sin JSON")
        }
        guard response.status == 200, let token = JSONFields.text(object, "access_token"), let lifetime = JSONFields.integer(object, "expires_in") else {
            throw .refused(
                provider: .paypal, status: response.status, providerCode: JSONFields.text(object, "error"),
                detail: JSONFields.text(object, "error_description") ?? "PayPal no entregó un token de acceso: revise el client id y el secreto."
            )
        }
        return (token, Int64(lifetime))
    }
}
