import Hummingbird
import Logging

/// The request context of every route: Hummingbird's core context plus the request id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id of this request: the caller's valid `X-Request-Id`, or a new one (set by `RequestIDMiddleware`). It is on
    /// every log line (`request_id`) and on every response (`X-Request-Id`).
    public var requestID: String

    public init(source: Source) {
        coreContext = .init(source: source)
        requestID = ""
    }
}
