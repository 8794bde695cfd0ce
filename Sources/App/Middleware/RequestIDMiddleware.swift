import CarteraCore
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-Id`
    static let requestID = Self("X-Request-Id")!
}

/// Gives every request an id: the caller's `X-Request-Id` when it is a sane token, otherwise a new random one.
/// The id goes into the logger metadata (`request_id`) and back in the `X-Request-Id` response header, on errors too.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].flatMap { Self.isAcceptable($0) ? $0 : nil } ?? Self.makeID()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// 1–128 characters of letters, digits, `-`, `_`, `.` and `:`.
    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
            }
    }

    /// A new random id: 16 random bytes as 32 lowercase hex characters.
    static func makeID() -> String { ByteEncoding.hex(ByteEncoding.randomBytes(16)) }
}
