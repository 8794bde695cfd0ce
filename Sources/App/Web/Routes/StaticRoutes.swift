import Foundation
import HTTPTypes
import Hummingbird

/// The style sheet (public: the sign-in page needs it) and the catch-all that answers unknown back-office paths only
/// to signed-in users, so that nothing about the route table is visible before sign-in.
struct StaticRoutes {
    let web: WebRouter

    func add() {
        let pages = web.pages
        let css = ByteBuffer(string: StyleSheet.css)
        web.get("/static/cartera.css", .anyone) { _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: css))
        }
        // Browsers ask for it on every site; answer without a redirect to the sign-in page.
        web.get("/favicon.ico", .anyone) { _ in Response(status: .noContent) }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            web.on("**", method: method, .signedIn) { request in
                pages.message(
                    title: "Página no encontrada", message: "La dirección no existe. Revise el enlace o vuelva al inicio.",
                    web: request, status: .notFound, next: ("/", "Ir al inicio")
                )
            }
        }
    }
}
