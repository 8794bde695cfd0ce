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

    /// A sandbox's list of payments, with the controls of those that wait (`controlPath` + `/{id}/{action}`).
    static func list(_ title: String, _ payments: [SandboxSummary], controlPath: String) -> String {
        var rows = ""
        for payment in payments {
            var actions = ""
            if payment.pending {
                for action in SandboxControl.allCases {
                    actions += "<form method=\"post\" action=\"\(escape(controlPath))/\(escape(payment.id))/\(action.rawValue)\"><button>\(action.label)</button></form>"
                }
            }
            rows += "<tr><td>\(escape(payment.id))</td><td>\(escape(payment.method))</td><td>\(pesos(payment.amount))</td>"
                + "<td>\(escape(payment.reference ?? ""))</td><td>\(escape(payment.status))</td><td>\(actions)</td></tr>"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">Aún no hay pagos.</td></tr>" }
        return """
            <h1>\(escape(title))</h1><p>Pagos creados en este sandbox. Una ficha en efectivo o una transferencia SPEI queda pendiente hasta que
            la marque pagada, la venza o la haga fallar; el sandbox envía entonces el aviso firmado a Cartera.</p>
            <table><thead><tr><th>Pago</th><th>Medio</th><th>Monto</th><th>Referencia / CLABE</th><th>Estado</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// The sandbox's own controls and pages under `group`: `POST /_sandbox/{resource}/{id}/{pay|expire|fail}` (JSON for
    /// programs, a redirect back to the page for its forms), `GET /_sandbox` (the list) and `GET /_sandbox/vouchers/{id}`.
    static func addControls<Context: RequestContext>(
        to group: RouterGroup<Context>, title: String, resource: String, publicURL: @escaping @Sendable () -> String,
        control: @escaping @Sendable (String, SandboxControl) async -> SandboxAnswer, summaries: @escaping @Sendable () async -> [SandboxSummary],
        findVoucher: @escaping @Sendable (String) async -> (reference: String, amount: Int64, expiresAt: Int64)?, json: @escaping @Sendable (SandboxAnswer) -> Response
    ) {
        group.post("/_sandbox/\(resource)/:id/:action") { request, context in
            guard let action = SandboxControl(rawValue: context.parameters.get("action") ?? "") else {
                return html("<p>Use pay, expire o fail.</p>", status: .notFound)
            }
            let answer = await control(context.parameters.get("id") ?? "", action)
            if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                return Response(status: .seeOther, headers: [.location: publicURL() + "/_sandbox"])
            }
            return json(answer)
        }
        group.get("/_sandbox") { _, _ in
            html(list(title, await summaries(), controlPath: publicURL() + "/_sandbox/\(resource)"))
        }
        group.get("/_sandbox/vouchers/:id") { _, context in
            guard let found = await findVoucher(context.parameters.get("id") ?? "") else {
                return html("<p>Esa ficha ya se pagó o venció, o no existe.</p>", status: .notFound)
            }
            return html(voucher(store: "OXXO", reference: found.reference, amount: found.amount, expiresAt: Timestamp(millisecondsSince1970: found.expiresAt * 1000)))
        }
    }
}
