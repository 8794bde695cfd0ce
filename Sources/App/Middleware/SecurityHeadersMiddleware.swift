import HTTPTypes
import Hummingbird

/// Security headers on every response: a Content-Security-Policy that allows no script and no framing, no MIME
/// sniffing, no referrer, and HSTS when the request reached us over TLS (as a trusted TLS-terminating proxy reports
/// it: see `ClientAddressMiddleware`).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // Cartera's own pages set none; the demo's gateway sandboxes (another site in real life) keep theirs — their
        // card page must send the borrower back to Cartera after its form.
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        }
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if context.viaTLS {
            response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000; includeSubDomains"
        }
        return response
    }
}
