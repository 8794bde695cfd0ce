import Hummingbird
import Logging
import NIOCore

/// The request context of every route: Hummingbird's core context plus the request id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id of this request: the caller's valid `X-Request-Id`, or a new one (set by `RequestIDMiddleware`). It is on
    /// every log line (`request_id`) and on every response (`X-Request-Id`).
    public var requestID: String
    /// The API client authenticated by a bearer token (set by `BearerAuthMiddleware` on `/api/v1`).
    public var client: AuthenticatedClient?
    /// The client's IP address, or empty when unknown (behind a trusted proxy: the forwarded address).
    public var remoteAddress: String
    /// Whether the request reached Cartera over TLS (as a trusted proxy reports it).
    public var viaTLS = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = ""
        client = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? ""
    }

    /// The authenticated client, or 401.
    public func requireClient() throws -> AuthenticatedClient {
        guard let client else { throw APIError.unauthenticated }
        return client
    }
}
