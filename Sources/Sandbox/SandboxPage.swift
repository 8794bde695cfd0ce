import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's small pages (in Spanish, for the people testing with it): a list of payments with buttons to pay,
/// expire or fail them, and printable vouchers with their barcode.
enum SandboxPage {
    static func html(_ body: String, title: String = "Sandbox de pasarelas — Cartera", status: HTTPResponse.Status = .ok) -> Response {
        let page = """
            <!doctype html><html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title><style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#1c2430}table{border-collapse:collapse}td,th{padding:.35rem .6rem;border-bottom:1px solid #d8dde4;text-align:left}
            form{display:inline}button{margin-right:.3rem}.voucher{max-width:28rem;border:1px solid #aab3bf;padding:1.5rem;border-radius:.5rem}.amount{font-size:1.6rem;font-weight:600}
            </style></head><body>\(body)</body></html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"],
            body: .init(byteBuffer: ByteBuffer(string: page))
        )
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func pesos(_ centavos: Int64) -> String { Money(minorUnits: centavos, currency: .mxn).formatted(.symbol) }

    /// A printable cash voucher: amount, reference, barcode and expiry.
    static func voucher(store: String, reference: String, amount: Int64, expiresAt: Timestamp) -> String {
        """
        <div class="voucher"><h1>Ficha de pago en \(escape(store))</h1><p class="amount">\(pesos(amount)) MXN</p>
        <p>Referencia: <strong>\(escape(reference))</strong></p>\(Code128.svg(reference) ?? "")
        <p>Pague antes del \(escape(expiresAt.text)). La tienda cobra una comisión por el servicio.</p></div>
        """
    }
}

/// The Stripe sandbox's page.
enum StripeSandboxPage {
    static func render(_ intents: [StripeSandboxState.Summary], base: String) -> String {
        var rows = ""
        for intent in intents {
            var actions = ""
            if intent.status == "requires_action" {
                for action in StripeSandboxState.Control.allCases {
                    let label = switch action {
                    case .pay: "Marcar pagado"
                    case .expire: "Vencer"
                    case .fail: "Hacer fallar"
                    }
                    actions += "<form method=\"post\" action=\"\(SandboxPage.escape(base))/_sandbox/payment_intents/\(SandboxPage.escape(intent.id))/\(action.rawValue)\"><button>\(label)</button></form>"
                }
            }
            rows += "<tr><td>\(SandboxPage.escape(intent.id))</td><td>\(SandboxPage.escape(intent.method))</td><td>\(SandboxPage.pesos(intent.amount))</td>"
                + "<td>\(SandboxPage.escape(intent.reference ?? ""))</td><td>\(SandboxPage.escape(intent.status))</td><td>\(actions)</td></tr>"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">Aún no hay pagos.</td></tr>" }
        return """
            <h1>Sandbox de Stripe</h1><p>Pagos creados en este sandbox. Una ficha OXXO o una transferencia SPEI queda pendiente hasta que la marque
            pagada, la venza o la haga fallar; el sandbox envía entonces el aviso firmado a Cartera.</p>
            <table><thead><tr><th>Pago</th><th>Medio</th><th>Monto</th><th>Referencia / CLABE</th><th>Estado</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func voucher(number: String, amount: Int64, expiresAfter: Int64) -> String {
        SandboxPage.voucher(store: "OXXO", reference: number, amount: amount, expiresAt: Timestamp(millisecondsSince1970: expiresAfter * 1000))
    }
}
