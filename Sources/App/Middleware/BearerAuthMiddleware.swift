import Foundation
import Hummingbird
import Logging

/// Authenticates `/api/v1` requests by their bearer token. Every route behind it is closed to callers without a valid
/// token (401); routes then ask for their scope with `requireScope` (403 without it).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenService
    let clientStatus: ClientStatusCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthenticated
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let client = await tokens.verify(token), try await clientStatus.isActive(client.clientID) else { throw APIError.unauthenticated }
        var context = context
        context.client = client
        context.logger[metadataKey: "client_id"] = .string(client.clientID)
        return try await next(request, context)
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
