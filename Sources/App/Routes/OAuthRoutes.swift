import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import SQLKit
import Store

/// `POST /oauth/token` (OAuth 2.0 client credentials, RFC 6749 §4.4) and the first `/api/v1` routes.
struct OAuthRoutes {
    let database: Database
    let clients: APIClients
    let tokens: TokenService
    let clientStatus: ClientStatusCache
    let auditWriter: AuditWriter
    let clock: @Sendable () -> Timestamp

    struct TokenResponse: ResponseEncodable {
        let access_token: String
        let token_type: String
        let expires_in: Int64
        let scope: String
    }

    struct TokenInfo: ResponseEncodable {
        let client_id: String
        let scopes: [String]
        let expires_at: String
    }

    struct AuditHead: ResponseEncodable {
        let sequence: Int64?
        let hash: String?
    }

    /// Adds the routes; returns the `/api/v1` group (bearer token required) for the other API routes.
    @discardableResult
    func add(to router: Router<AppRequestContext>) -> RouterGroup<AppRequestContext> {
        router.post("/oauth/token") { request, context -> TokenResponse in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = FormDecoding.parse(String(buffer: body))
            var credentials = Self.basicCredentials(request.headers[.authorization])
            if credentials == nil, let id = form["client_id"], let secret = form["client_secret"] { credentials = (id, secret) }

            guard form["grant_type"] == "client_credentials" else {
                throw APIError(status: .badRequest, code: "unsupported_grant_type", message: "Solo se admite grant_type=client_credentials.")
            }
            guard let (id, secret) = credentials, let client = try await clients.authenticate(id: id, secret: secret) else {
                try await audit(context, actor: credentials?.0 ?? "", action: "oauth.token", outcome: .failure)
                throw APIError(status: .unauthorized, code: "invalid_client", message: "Credenciales de cliente no válidas.")
            }
            var scopes = client.scopes
            if let requested = form["scope"], !requested.isEmpty {
                let asked = requested.split(separator: " ").map(String.init)
                guard asked.allSatisfy(client.scopes.contains) else {
                    try await audit(context, actor: client.id, action: "oauth.token", outcome: .denied)
                    throw APIError(status: .badRequest, code: "invalid_scope", message: "El cliente no tiene alguno de los alcances solicitados.")
                }
                scopes = Array(Set(asked)).sorted()
            }
            let token = try await tokens.issue(for: client, scopes: scopes)
            try await audit(context, actor: client.id, action: "oauth.token", outcome: .success)
            return TokenResponse(access_token: token, token_type: "Bearer", expires_in: TokenService.lifetimeSeconds, scope: scopes.joined(separator: " "))
        }

        let api = router.group("/api/v1").add(middleware: BearerAuthMiddleware(tokens: tokens, clientStatus: clientStatus, audit: auditWriter, clock: clock))
        api.get("/token-info") { _, context -> TokenInfo in
            let client = try context.requireClient()
            return TokenInfo(client_id: client.clientID, scopes: client.scopes, expires_at: client.expiresAt.text)
        }
        // Deny by default: any other /api/v1 path is answered only after authentication, and then as unknown.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.on("**", method: method) { _, _ -> Response in throw HTTPError(.notFound) }
        }
        api.get("/audit/head") { _, context -> AuditHead in
            _ = try await access.require("audit:read", context)
            let head = try await database.withConnection { db in
                try await db.raw("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first()
            }
            return AuditHead(
                sequence: try head?.decode(column: "sequence", as: Int64.self),
                hash: try head?.decode(column: "hash", as: String.self)
            )
        }
        return api
    }

    var access: APIAccess { APIAccess(audit: auditWriter, clock: clock) }

    func audit(_ context: AppRequestContext, actor: String, action: String, outcome: AuditEntry.Outcome) async throws {
        let entry = AuditEntry.draft(
            at: clock(), actorKind: actor.isEmpty ? .anonymous : .apiClient, actorID: String(actor.prefix(128)),
            ipAddress: context.remoteAddress, action: action, outcome: outcome, requestID: context.requestID
        )
        try await auditWriter.append(entry)
    }

    /// `Authorization: Basic base64(id:secret)`, with both parts form-decoded as RFC 6749 §2.3.1 requires.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let decode = { (s: Substring) in s.removingPercentEncoding ?? String(s) }
        return (decode(text[..<colon]), decode(text[text.index(after: colon)...]))
    }
}
