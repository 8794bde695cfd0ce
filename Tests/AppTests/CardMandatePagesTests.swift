@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Lending
import NIOCore
import NIOFoundationEssentialsCompat
import SQLKit
import Store
import Testing

@Suite("Domiciliación through the API, the back office and the portal")
struct CardMandatePagesTests {
    @Test("A card authorised through the API shows in the back office and the portal; the administrator sets retry days; the borrower cancels it in the portal and reads notices")
    func apiBackOfficeAndPortal() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock()
            let (lender, borrowerClient, applied) = try await PaymentIntentPagesTests.borrowerLoan(database)
            try await makeApp(database, clock: { clock.read() }, configure: { $0.demoSandbox = true }).test(.live) { client in
                var headers = try await ClientAPITests().token(client, database, scopes: LoanAPITests.allScopes)
                headers[.contentType] = "application/json"
                let path = "/api/v1/loans/\(applied.id)/card-mandates"
                func post(_ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                    let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
                    return (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
                }
                let (refusedStatus, refused) = try await post(#"{"provider":"stripe","token":"tok_visa"}"#)
                #expect(refusedStatus == .unprocessableContent && (refused["error"] as? [String: Any])?["code"] as? String == "consent_required")
                let (status, created) = try await post(#"{"provider":"stripe","token":"tok_visa","maxAmount":"3500.00","consent":true}"#)
                #expect(status == .created && created["status"] as? String == "active" && (created["card"] as? [String: Any])?["last4"] as? String == "4242")
                let mandateID = try #require(created["id"] as? String)
                let shown = try await client.execute(uri: "/api/v1/card-mandates/\(mandateID)", method: .get, headers: headers)
                #expect(shown.status == .ok && String(buffer: shown.body).contains(#""charges":[]"#))

                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                let loanPage = try await borrower.get("/portal/creditos/\(applied.id)")
                #expect(loanPage.text.contains("mi-domiciliacion") && loanPage.text.contains("Visa •••• 4242") && loanPage.text.contains("hasta $3,500.00 por cargo"))
                #expect(try await borrower.get("/domiciliaciones").status == .forbidden)

                let admin = TestBrowser(client)
                try await admin.signIn("u.administrador")
                let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
                try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
                let list = try await admin.get("/domiciliaciones")
                #expect(list.text.contains(mandateID) && list.text.contains("los días 2, 5, 8 después"))
                let detail = try await admin.get("/domiciliaciones/\(mandateID)")
                #expect(detail.text.contains("Autorizo a") && detail.text.contains("sin exceder $3,500.00 por cargo") && detail.text.contains("cancelar-domiciliacion"))
                try await admin.get("/ajustes/domiciliacion")
                let wrong = try await admin.post("/ajustes/domiciliacion", ["dias": "9, 3"])
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("orden creciente"))
                try await admin.get("/ajustes/domiciliacion")
                let saved = try await admin.post("/ajustes/domiciliacion", ["dias": "1, 4"])
                #expect(saved.status == .ok && saved.text.contains("Días de reintento guardados"))
                #expect(try await admin.get("/domiciliaciones").text.contains("los días 1, 4 después"))

                // The borrower cancels it; the API shows it revoked with the reason; the portal no longer offers it.
                try await borrower.get("/portal/creditos/\(applied.id)")
                let canceled = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion/cancelar", [:])
                #expect(canceled.status == .ok && canceled.text.contains("Domiciliación cancelada"))
                let revoked = try await client.execute(uri: "/api/v1/card-mandates/\(mandateID)", method: .get, headers: headers)
                #expect(String(buffer: revoked.body).contains(#""status":"revoked""#) && String(buffer: revoked.body).contains("Cancelada por el acreditado en el portal"))
                #expect(try await borrower.get("/portal/creditos/\(applied.id)").text.contains("Este crédito no tiene domiciliación"))
                #expect(try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion/cancelar", [:]).status == .notFound)

                // Notices of automatic charges reach the portal's home.
                try await database.transaction { db in
                    try await BorrowerNotices.post(
                        kind: "recurring.retry", title: "No pudimos cobrar su pago 2", body: "Lo intentaremos de nuevo el 03/01/2027.", clientID: borrowerClient,
                        loanID: applied.id, lenderID: lender, at: clock.read(), on: db
                    )
                }
                let home = try await borrower.get("/portal")
                #expect(home.text.contains("No pudimos cobrar su pago 2") && home.text.contains("03/01/2027"))
            }
        }
    }

    /// The `href` of the link with `id` on a page, unescaped.
    static func link(_ id: String, in text: String) throws -> URL {
        let range = try #require(text.range(of: #"href="([^"]+)" id="\#(id)""#, options: .regularExpression))
        let href = String(text[range].dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
        return try #require(URL(string: href))
    }

    /// A hidden field's value on a page, unescaped.
    static func hidden(_ name: String, in text: String) throws -> String {
        let range = try #require(text.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression))
        let value = String(text[range].dropFirst(#"name="\#(name)" value=""#.count).dropLast())
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Per gateway with a page where a card is saved: the page's path, the saved card as the portal shows it, the
    /// start of its id at the provider.
    static let setupPages: [String: (page: String, label: String, portal: String, id: String)] = [
        "stripe": ("/sandbox/stripe/_sandbox/checkout/cs_test_", "Visa terminación 4242", "Visa •••• 4242", "pm_"),
    ]

    @Test("The borrower authorises domiciliación in the portal: accepts the authorisation word for word, saves the card on the gateway's own page, comes back to an active mandate", arguments: TestEngine.available, ["stripe"])
    func portalSetupOnProviderPage(engine: TestEngine, provider: String) async throws {
        let expected = try #require(Self.setupPages[provider])
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock()
            let (_, _, applied) = try await PaymentIntentPagesTests.borrowerLoan(database)
            try await makeApp(database, clock: { clock.read() }, configure: { $0.demoSandbox = true }).test(.live) { client in
                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                let loanPage = try await borrower.get("/portal/creditos/\(applied.id)")
                #expect(loanPage.text.contains(#"href="/portal/creditos/\#(applied.id)/domiciliacion" id="domiciliar""#))
                let form = try await borrower.get("/portal/creditos/\(applied.id)/domiciliacion")
                // Only Stripe has a page of its own where a card is saved for Mexican merchants (PayPal saves only its
                // wallets there, and not in Mexico); the others save it through the lender's app.
                #expect(form.status == .ok && form.text.contains(#"value="stripe""#) && !form.text.contains(#"value="paypal""#) && !form.text.contains(#"value="conekta""#))

                let wrongGateway = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": "conekta"])
                #expect(wrongGateway.status == .unprocessableContent && wrongGateway.text.contains("Elija una de las pasarelas"))
                try await borrower.get("/portal/creditos/\(applied.id)/domiciliacion")
                let wrongLimit = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": "stripe", "maximo": "mucho"])
                #expect(wrongLimit.status == .unprocessableContent && wrongLimit.text.contains("El monto máximo se escribe como 5000.00"))

                try await borrower.get("/portal/creditos/\(applied.id)/domiciliacion")
                let confirm = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": provider, "maximo": "3,500.00"])
                #expect(confirm.status == .ok && confirm.text.contains("Leí y acepto esta autorización"))
                let consent = try Self.hidden("autorizacion", in: confirm.text)
                #expect(consent.hasPrefix("Autorizo a ") && consent.contains("(la que registre en la página segura de la pasarela de pago)"))
                #expect(consent.contains("crédito \(applied.id)") && consent.contains("sin exceder $3,500.00 por cargo"))
                // Nothing is recorded before the borrower accepts.
                let before = try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM card_setups").first(decodingColumn: "n", as: Int.self) }
                #expect(before == 0)

                let tampered = try await borrower.post(
                    "/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": provider, "maximo": "3500.00", "acepto": "si", "autorizacion": "Autorizo cargos sin límite"]
                )
                #expect(tampered.status == .conflict && tampered.text.contains("La autorización cambió"))
                let accepted = try await borrower.post(
                    "/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": provider, "maximo": "3500.00", "acepto": "si", "autorizacion": consent]
                )
                #expect(accepted.status == .ok && accepted.text.contains("ir-a-registrar"))
                let page = try Self.link("ir-a-registrar", in: accepted.text)
                #expect(page.path.hasPrefix(expected.page))
                let shown = try await client.execute(uri: page.path, method: .get)
                #expect(shown.status == .ok && String(buffer: shown.body).contains("Guardar tarjeta") && !String(buffer: shown.body).contains("MXN"))
                var formHeaders = HTTPFields()
                formHeaders[.contentType] = "application/x-www-form-urlencoded"
                let declined = try await client.execute(uri: page.path, method: .post, headers: formHeaders, body: ByteBuffer(string: "tarjeta=rechazada"))
                #expect(declined.status.code == 402)
                // Before the card is saved, the way back says so and links to the page again.
                let setupID = try #require(try await database.withConnection { db in
                    try await db.raw("SELECT id FROM card_setups").first(decodingColumn: "id", as: String.self)
                })
                let early = try await client.execute(uri: "/domiciliacion/regreso/\(setupID)", method: .get)
                #expect(early.status == .ok && String(buffer: early.body).contains("En espera de la tarjeta") && String(buffer: early.body).contains(page.path))

                clock.advance(seconds: 20)  // the borrower types the card (the gateway is asked at most every 15 s per setup)
                let saved = try await client.execute(uri: page.path, method: .post, headers: formHeaders, body: ByteBuffer(string: "tarjeta=paga"))
                #expect(saved.status == .seeOther)
                let back = try #require(saved.headers[.location].flatMap { URL(string: $0) })
                #expect(back.path == "/domiciliacion/regreso/\(setupID)")
                // Browsers send no Strict session cookie on a navigation the gateway's site started: the page needs none.
                let returned = try await client.execute(uri: back.path, method: .get)
                let returnedText = String(buffer: returned.body)
                #expect(returned.status == .ok && returnedText.contains("Tarjeta registrada") && returnedText.contains(expected.label))
                #expect(!returnedText.contains(applied.id))  // the page without a session names no loan
                // Coming back twice makes one authorisation.
                #expect(String(buffer: try await client.execute(uri: back.path, method: .get).body).contains("Tarjeta registrada"))

                let rows = try await database.withConnection { db in
                    try await db.raw("SELECT id, status, channel, consent, authorised_by, max_amount, provider_card_id FROM card_mandates WHERE loan_id = \(bind: applied.id)").all()
                }
                #expect(rows.count == 1)
                let mandate = try #require(rows.first)
                let borrowerID = try await database.withConnection { db in
                    try await db.raw("SELECT id FROM users WHERE username = 'u.acreditado'").first(decodingColumn: "id", as: String.self)
                }
                #expect(try mandate.decode(column: "status", as: String.self) == "active" && mandate.decode(column: "channel", as: String.self) == "portal")
                #expect(try mandate.decode(column: "consent", as: String.self) == consent && mandate.decode(column: "authorised_by", as: String.self) == borrowerID)
                #expect(try mandate.decode(column: "max_amount", as: Int64.self) == 350_000 && mandate.decode(column: "provider_card_id", as: String.self).hasPrefix(expected.id))
                let setup = try await database.withConnection { db in
                    try await db.raw("SELECT status, mandate_id FROM card_setups WHERE id = \(bind: setupID)").first()
                }
                #expect(try setup?.decode(column: "status", as: String.self) == "completed" && setup?.decode(column: "mandate_id", as: String.self) == mandate.decode(column: "id", as: String.self))
                let actions = try await database.withConnection { db in
                    try await db.raw("SELECT action FROM audit_log WHERE object_id IN (\(bind: setupID), \(bind: try mandate.decode(column: "id", as: String.self))) ORDER BY sequence").all(decodingColumn: "action", as: String.self)
                }
                #expect(actions == ["card_setup.begin", "card_mandate.create", "card_setup.complete"])

                let after = try await borrower.get("/portal/creditos/\(applied.id)")
                #expect(after.text.contains("mi-domiciliacion") && after.text.contains(expected.portal) && after.text.contains("hasta $3,500.00 por cargo"))
                #expect(try await borrower.get("/portal/creditos/\(applied.id)/domiciliacion").text.contains("ya se carga a su tarjeta \(expected.portal)"))
            }
        }
    }

    @Test("A card saved on the gateway's page by a borrower who never came back is taken up on their next visit; a page left until it closes ends the setup")
    func portalSetupAbandoned() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock()
            let (_, _, applied) = try await PaymentIntentPagesTests.borrowerLoan(database)
            try await makeApp(database, clock: { clock.read() }, configure: { $0.demoSandbox = true }).test(.live) { client in
                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                func begin() async throws -> URL {
                    try await borrower.get("/portal/creditos/\(applied.id)/domiciliacion")
                    let confirm = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": "stripe"])
                    let consent = try Self.hidden("autorizacion", in: confirm.text)
                    #expect(!consent.contains("sin exceder"))
                    let accepted = try await borrower.post("/portal/creditos/\(applied.id)/domiciliacion", ["pasarela": "stripe", "acepto": "si", "autorizacion": consent])
                    return try Self.link("ir-a-registrar", in: accepted.text)
                }
                // Left open until the page closes (Stripe: an hour here): the setup ends with no mandate.
                let first = try await begin()
                clock.advance(seconds: 2 * 3600)
                try await borrower.signIn("u.acreditado")  // the portal session ran out meanwhile too
                #expect(try await borrower.get("/portal/creditos/\(applied.id)").text.contains(#"id="domiciliar""#))
                let statuses = try await database.withConnection { db in
                    try await db.raw("SELECT status FROM card_setups ORDER BY created_at").all(decodingColumn: "status", as: String.self)
                }
                #expect(statuses == ["expired"])
                #expect(try await client.execute(uri: first.path, method: .get).status == .notFound)

                // Saved on the page, but the borrower closed the tab: the portal takes the card up when they return.
                let second = try await begin()
                var formHeaders = HTTPFields()
                formHeaders[.contentType] = "application/x-www-form-urlencoded"
                #expect(try await client.execute(uri: second.path, method: .post, headers: formHeaders, body: ByteBuffer(string: "tarjeta=fondos")).status == .seeOther)
                let page = try await borrower.get("/portal/creditos/\(applied.id)")
                #expect(page.text.contains("mi-domiciliacion") && page.text.contains("Visa •••• 9995"))
                let active = try await database.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM card_mandates WHERE status = 'active' AND channel = 'portal'").first(decodingColumn: "n", as: Int.self)
                }
                #expect(active == 1)
            }
        }
    }
}
