import Hummingbird
import SQLKit
import Store

/// `GET /`: a plain status page in Spanish — which lender this installation serves, the version, and where the health
/// endpoints are. No script, no personal data.
struct HomePage {
    let database: Database

    func add(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ -> HTML in
            let lenders = try await database.withConnection { db in
                try await db.raw("SELECT short_name FROM lenders ORDER BY short_name").all(decodingColumn: "short_name", as: String.self)
            }
            return HTML(Self.render(lenders: lenders))
        }
    }

    static func render(lenders: [String]) -> String {
        let lenderText = lenders.isEmpty
            ? "Aún no hay un otorgante configurado."
            : "Otorgante: " + lenders.map(HTML.escape).joined(separator: ", ") + "."
        return """
            <!doctype html>
            <html lang="es-MX">
            <head><meta charset="utf-8"><title>Cartera</title></head>
            <body>
            <h1>Cartera \(HTML.escape(CarteraVersion.current))</h1>
            <p>\(lenderText)</p>
            <ul>
            <li><a href="/health">Salud del proceso</a></li>
            <li><a href="/ready">Disponibilidad de la base de datos</a></li>
            <li><a href="/metrics">Métricas (Prometheus)</a></li>
            </ul>
            </body>
            </html>
            """
    }
}

/// An HTML response body.
struct HTML: ResponseGenerator {
    let text: String

    init(_ text: String) { self.text = text }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentType] = "text/html; charset=utf-8"
        return response
    }

    /// Escapes text for use in HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
