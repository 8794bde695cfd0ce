import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import NIOCore

/// A provider's hosted card page, as its sandbox plays it: the amount, a choice of the provider's test cards (one that
/// pays, one declined for insufficient funds, one declined), and back to the merchant. The card's data stay here.
enum SandboxCheckoutPage {
    enum Card: String, CaseIterable, Sendable {
        case pays = "paga"
        case insufficientFunds = "fondos"
        case declined = "rechazada"

        var label: String {
            switch self {
            case .pays: "Tarjeta de prueba que paga"
            case .insufficientFunds: "Tarjeta de prueba sin fondos suficientes"
            case .declined: "Tarjeta de prueba rechazada por el banco"
            }
        }
    }

    /// What paying on the page led to: back to the merchant, or the card's refusal shown on the page.
    enum Result: Sendable {
        case redirect(String)
        case refused(String)
        case notFound
    }

    /// The page: `action` takes the form back; `cancelURL` leaves without paying.
    static func page(provider: String, amount: Int64, description: String, action: String, cancelURL: String?, error: String?) -> Response {
        var choices = ""
        for card in Card.allCases {
            choices += "<p><label><input type=\"radio\" name=\"tarjeta\" value=\"\(card.rawValue)\"\(card == .pays ? " checked" : "")> \(card.label)</label></p>"
        }
        let refused = error.map { "<p role=\"alert\"><strong>\(SandboxPage.escape($0))</strong> Pruebe con otra tarjeta.</p>" } ?? ""
        // Amount 0: the page saves a card for later charges (a setup), nothing is paid now.
        let saving = amount == 0
        let cancel = cancelURL.map { "<p><a href=\"\(SandboxPage.escape($0))\">\(saving ? "Volver sin guardar la tarjeta" : "Volver sin pagar")</a></p>" } ?? ""
        let heading = saving ? "Guardar tarjeta — \(SandboxPage.escape(provider)) (sandbox)" : "Pago con tarjeta — \(SandboxPage.escape(provider)) (sandbox)"
        let lead = saving ? "<p>La tarjeta queda guardada para cargos posteriores; no se cobra nada ahora.</p>" : "<p class=\"amount\">\(SandboxPage.pesos(amount)) MXN</p>"
        var response = SandboxPage.html(
            """
            <div class="voucher"><h1>\(heading)</h1>\(lead)
            <p>\(SandboxPage.escape(description))</p>\(refused)
            <form method="post" action="\(SandboxPage.escape(action))">\(choices)<button type="submit">\(saving ? "Guardar tarjeta" : "Pagar")</button></form>\(cancel)</div>
            """,
            title: saving ? "Guardar tarjeta — \(provider)" : "Pago con tarjeta — \(provider)", status: error == nil ? .ok : HTTPResponse.Status(code: 402)
        )
        // The page sends the borrower back to the merchant's site, wherever it is.
        response.headers[HTTPField.Name.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return response
    }

    static func redirect(_ url: String) -> Response {
        Response(status: .seeOther, headers: [.location: url])
    }

    /// The card chosen in the submitted form.
    static func card(_ request: Request) async throws -> Card {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let fields = FormEncoding.decode(String(decoding: body.readableBytesView, as: UTF8.self))
        return fields.first { $0.0 == "tarjeta" }.flatMap { Card(rawValue: $0.1) } ?? .pays
    }

    /// `url` with `items` added to its query.
    static func url(_ url: String, adding items: [(String, String)]) -> String {
        url + (url.contains("?") ? "&" : "?") + FormEncoding.encode(items)
    }

    /// Serves a provider's page at `path/:id` (under the sandbox's prefix; `publicURL` includes it) (GET the page, POST to pay) from its own lookups.
    static func add<Context: RequestContext>(
        to group: RouterGroup<Context>, path: String, provider: String, publicURL: @escaping @Sendable () -> String,
        find: @escaping @Sendable (String) async -> (amount: Int64, description: String, cancelURL: String?)?,
        pay: @escaping @Sendable (String, Card) async -> Result, delivered: @escaping @Sendable () async -> Void
    ) {
        group.get("\(path)/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let found = await find(id) else { return SandboxPage.html("<p>Ese pago no existe o ya no está abierto.</p>", status: .notFound) }
            return page(provider: provider, amount: found.amount, description: found.description, action: "\(publicURL())\(path)/\(id)", cancelURL: found.cancelURL, error: nil)
        }
        group.post("\(path)/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            let card = try await card(request)
            let result = await pay(id, card)
            await delivered()
            switch result {
            case .redirect(let target): return redirect(target)
            case .notFound: return SandboxPage.html("<p>Ese pago no existe o ya no está abierto.</p>", status: .notFound)
            case .refused(let message):
                guard let found = await find(id) else { return SandboxPage.html("<p>\(SandboxPage.escape(message))</p>", status: HTTPResponse.Status(code: 402)) }
                return page(provider: provider, amount: found.amount, description: found.description, action: "\(publicURL())\(path)/\(id)", cancelURL: found.cancelURL, error: message)
            }
        }
    }
}
