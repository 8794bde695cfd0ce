import CarteraCore
import CarteraSecurity
import Hummingbird
import Store

/// The scope check of `/api/v1` routes, with the refusal written to the audit log.
struct APIAccess: Sendable {
    let audit: AuditWriter
    let clock: @Sendable () -> Timestamp

    /// The authenticated client if its token carries `scope`; otherwise 401, or 403 recorded as `authz.scope:<scope>`.
    func require(_ scope: String, _ context: AppRequestContext) async throws -> AuthenticatedClient {
        do {
            return try context.requireScope(scope)
        } catch let error as APIError where error.status == .forbidden {
            try await audit.append(
                .draft(
                    at: clock(), actorKind: .apiClient, actorID: context.client?.clientID ?? "", ipAddress: context.remoteAddress,
                    action: "authz.scope:\(scope)", outcome: .denied, requestID: context.requestID
                )
            )
            throw error
        }
    }

    /// Who acts, for audit entries of changes made through the API.
    static func actor(_ client: AuthenticatedClient, _ context: AppRequestContext) -> Administration.Actor {
        Administration.Actor(kind: .apiClient, id: client.clientID, ipAddress: context.remoteAddress, requestID: context.requestID)
    }
}
