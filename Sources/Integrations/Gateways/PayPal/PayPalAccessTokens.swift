import CarteraCore
import Foundation
import NIOHTTP1

/// PayPal's OAuth2 client-credentials tokens (`POST /v1/oauth2/token`, HTTP Basic with the client id and secret): one
/// kept until a minute before it expires, fetched by one caller while the others wait for it (single flight), and
/// dropped when PayPal refuses it so the next call fetches a new one.
public actor PayPalAccessTokens {
    let client: ProviderHTTPClient
    let clientID: String
    let secret: String
    let clock: @Sendable () -> Timestamp
    private var current: (token: String, expiresAt: Timestamp)?
    private var fetching: Task<(String, Timestamp), any Error>?
    /// How many tokens were fetched (for tests and metrics).
    public private(set) var fetched = 0

    public init(client: ProviderHTTPClient, clientID: String, secret: String, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.client = client
        self.clientID = clientID
        self.secret = secret
        self.clock = clock
    }

    /// A token valid for at least another minute.
    public func token() async throws(GatewayError) -> String {
        if let current, clock().adding(seconds: 60) < current.expiresAt { return current.token }
        let task: Task<(String, Timestamp), any Error>
        if let fetching {
            task = fetching
        } else {
            task = Task { try await self.fetch() }
            fetching = task
        }
        do {
            let (token, expiresAt) = try await task.value
            current = (token, expiresAt)
            fetching = nil
            return token
        } catch {
            fetching = nil
            throw (error as? GatewayError) ?? .invalidResponse(provider: .paypal, detail: "\(error)")
        }
    }

    /// Forgets the token (PayPal answered 401 to it).
    public func invalidate() { current = nil }

    private func fetch() async throws(GatewayError) -> (String, Timestamp) {
        fetched += 1
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
        return (token, clock().adding(seconds: lifetime))
    }
}
