import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Logging
import Store

/// Authenticates `/api/v1` requests by their bearer token. Every route behind it is closed to callers without a valid
/// token (401, written to the audit log as `authz.unauthenticated`); routes then ask for their scope with
/// `requireScope` (403 without it).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenService
    let clientStatus: ClientStatusCache
    let audit: AuditWriter
    let clock: @Sendable () -> Timestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            try await refuse(request, context, reason: "no_token")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let client = await tokens.verify(token), try await clientStatus.isActive(client.clientID) else {
            try await refuse(request, context, reason: "invalid_token")
        }
        var context = context
        context.client = client
        context.logger[metadataKey: "client_id"] = .string(client.clientID)
        return try await next(request, context)
    }

    func refuse(_ request: Request, _ context: Context, reason: String) async throws -> Never {
        try await audit.append(
            .draft(
                at: clock(), actorKind: .anonymous, actorID: "", ipAddress: context.remoteAddress, action: "authz.unauthenticated",
                objectType: "route", objectID: "\(request.method.rawValue) \(request.uri.path) \(reason)".prefix(200).description,
                outcome: .denied, requestID: context.requestID
            )
        )
        throw APIError.unauthenticated
    }
}

extension AppRequestContext {
    /// The authenticated client if its token carries `scope`; otherwise 401 or 403.
    func requireScope(_ scope: String) throws -> AuthenticatedClient {
        let client = try requireClient()
        guard client.scopes.contains(scope) else { throw APIError.missingScope(scope) }
        return client
    }
}
