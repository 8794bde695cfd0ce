import Foundation
import HTTPTypes
import Hummingbird

/// Works out the client's real address and whether it reached us over TLS.
///
/// Behind a TLS-terminating proxy every request comes from the proxy's address. When the direct peer is one of the
/// configured trusted proxies (`CARTERA_TRUSTED_PROXIES`), the client address is the rightmost address in
/// `X-Forwarded-For` that is not itself a trusted proxy, and `X-Forwarded-Proto: https` marks the request as TLS. From
/// anyone else those headers are ignored, so a client cannot choose the address that sign-in throttling and the audit
/// log record.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard trustedProxies.contains(context.remoteAddress) else { return try await next(request, context) }
        var context = context
        let forwarded = (request.headers[values: HTTPField.Name("X-Forwarded-For")!])
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if let client = forwarded.reversed().first(where: { !$0.isEmpty && !trustedProxies.contains($0) }) {
            context.remoteAddress = String(client.prefix(64))
        }
        context.viaTLS = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        return try await next(request, context)
    }
}
