@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Lending
import SQLKit
import Store
import Testing

@Suite("Web: the borrower pays online from the portal; staff follow and refund it in the back office")
struct PaymentIntentPagesTests {
    /// The seeded staff and borrower user, and a 9,000.00 loan of the borrower's client disbursed 10 days ago.
    static func borrowerLoan(_ database: Database) async throws -> (lender: String, client: String, loan: LoanBook.Record) {
        _ = try await TestStaff.seed(database)
        let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
        _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
        let borrowerClient = try await database.withConnection { db in
            try await db.raw("SELECT client_id FROM users WHERE role = 'acreditado'").first(decodingColumn: "client_id", as: String.self)
        }!
        let book = LoanBook(database: database)
        let applied = try await database.transaction { db in
            try await book.apply(.init(clientId: borrowerClient, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
        }
        _ = try await book.decide(applied.id, approve: true, note: nil, lenderID: lender, actor: .commandLine)
        try await TestFiles.complete(borrowerClient, lenderID: lender, database: database)
        _ = try await book.disburse(applied.id, on: book.today().adding(days: -10), channel: .spei, reference: "D-9", lenderID: lender, actor: .commandLine)
        return (lender, borrowerClient, applied)
    }

    @Test("An OXXO reference with its barcode from the portal, paid in the sandbox, shown paid; the administrator sees its attempts and webhooks and refunds part of it")
    func portalAndBackOffice() async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let clock = TestClock()
            let (lender, _, applied) = try await Self.borrowerLoan(database)
            let book = LoanBook(database: database)
            try await makeApp(database, clock: { clock.read() }, configure: { $0.demoSandbox = true }).test(.live) { client in
                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                let page = try await borrower.get("/portal/creditos/\(applied.id)")
                #expect(page.text.contains("pagar-en-linea") && page.text.contains("Efectivo en OXXO u otra tienda — Conekta") && page.text.contains("Transferencia SPEI — Stripe"))
                // PayPal offers no cash or SPEI: only its card page is among the choices.
                #expect(!page.text.contains("OXXO u otra tienda — PayPal") && !page.text.contains("SPEI — PayPal") && page.text.contains("Tarjeta de crédito o débito — PayPal"))
                let asked = try await borrower.post("/portal/creditos/\(applied.id)/pagar", ["pagar": "monto", "monto": "450.00", "forma": "conekta:cash"])
                #expect(asked.status == .seeOther)
                let location = try #require(asked.headers[.location])
                let reference = try await borrower.get(location)
                #expect(reference.text.contains("$450.00 MXN") && reference.text.contains("<svg") && reference.text.contains("Código de barras 9300"))
                let intentID = String(location.dropFirst("/portal/pagos/".count))
                let intent = try await PaymentIntentBook(
                    database: database, book: book, directory: ClientDirectory(database: database, keys: TestKeys.live), connectors: GatewayConnectors([]), clock: { .now }
                ).intent(intentID, lenderID: lender)
                // A wrong choice gets a clear message and nothing is asked of any gateway.
                let wrong = try await borrower.post("/portal/creditos/\(applied.id)/pagar", ["pagar": "monto", "monto": "450.00", "forma": "nadie"])
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("Elija una forma de pago"))

                // The borrower pays at the store; Conekta's signed webhook reaches Cartera and the payment is posted.
                let paid = try await client.execute(uri: "/sandbox/conekta/_sandbox/orders/\(intent.providerChargeId!)/pay", method: .post)
                #expect(paid.status == .ok)
                var text = ""
                for _ in 0..<100 where !text.contains("Pagado") {
                    try await Task.sleep(for: .milliseconds(50))
                    text = try await borrower.get(location).text
                }
                #expect(text.contains("Pagado"))
                #expect(try await borrower.get("/portal/creditos/\(applied.id)").text.contains("mis-pagos-en-linea"))
                // Another borrower's payment is not shown; the back office is not the borrower's.
                #expect(try await borrower.get("/pagos-en-linea").status == .forbidden)

                let admin = TestBrowser(client)
                try await admin.signIn("u.administrador")
                let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
                try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
                #expect(try await admin.get("/pagos-en-linea").text.contains(intentID))
                let detail = try await admin.get("/pagos-en-linea/\(intentID)")
                #expect(detail.text.contains("order.paid") && detail.text.contains("Cobro") && detail.text.contains("reembolso"))
                #expect(try await admin.get("/avisos-pasarelas").text.contains("order.paid"))
                let refused = try await admin.post("/pagos-en-linea/\(intentID)/reembolsar", ["monto": "100.00", "motivo": ""])
                #expect(refused.status == .unprocessableContent && refused.text.contains("Indique el motivo del reembolso"))
                try await admin.get("/pagos-en-linea/\(intentID)")
                let refunded = try await admin.post("/pagos-en-linea/\(intentID)/reembolsar", ["monto": "100.00", "motivo": "Cobro duplicado"])
                #expect(refunded.status == .seeOther)
                let after = try await admin.get("/pagos-en-linea/\(intentID)")
                #expect(after.text.contains("Reembolsado en parte") && after.text.contains("$100.00") && after.text.contains("Cobro duplicado"))
                let report = try await LedgerVerification(database: database, book: book).run()
                #expect(report.ok, "\(report.problems)")
            }
        }
    }

    @Test("A card payment from the portal: the borrower is sent to the gateway's own page, types the card there, comes back and sees it paid", arguments: ["stripe", "conekta", "openpay", "mercadopago", "paypal"])
    func portalCardOnProviderPage(provider: String) async throws {
        try await TestEngine.sqlite.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let (_, _, applied) = try await Self.borrowerLoan(database)
            try await makeApp(database, configure: { $0.demoSandbox = true }).test(.live) { client in
                let borrower = TestBrowser(client)
                try await borrower.signIn("u.acreditado")
                try await borrower.get("/portal/creditos/\(applied.id)")
                let asked = try await borrower.post("/portal/creditos/\(applied.id)/pagar", ["pagar": "pago", "numero": "1", "forma": "\(provider):card"])
                // A link to the provider's page (the sandbox, in the demo), not a redirect: the portal's forms post only to
                // Cartera (CSP form-action 'self'). Cartera's form never carries the card.
                #expect(asked.status == .ok && asked.text.contains("ir-a-pagar"))
                let link = try #require(asked.text.range(of: #"href="([^"]+)" id="ir-a-pagar""#, options: .regularExpression))
                let href = String(asked.text[link].dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
                let page = try #require(URL(string: href))
                #expect(page.path.hasPrefix("/sandbox/\(provider)/_sandbox/checkout/"))
                let shown = try await client.execute(uri: page.path, method: .get)
                #expect(shown.status == .ok && String(buffer: shown.body).contains("Pago con tarjeta"))
                var form = HTTPFields()
                form[.contentType] = "application/x-www-form-urlencoded"
                let declined = try await client.execute(uri: page.path, method: .post, headers: form, body: ByteBuffer(string: "tarjeta=rechazada"))
                #expect(declined.status.code == 402)
                let paid = try await client.execute(uri: page.path, method: .post, headers: form, body: ByteBuffer(string: "tarjeta=paga"))
                #expect(paid.status == .seeOther)
                // Back in the portal: Cartera asks the gateway and shows the payment applied.
                let back = try #require(paid.headers[.location].flatMap { URL(string: $0) })
                #expect(back.path.hasPrefix("/pagos/regreso/pin_"))
                // Browsers send no Strict session cookie on a navigation the gateway's site started: the page needs none.
                let anonymous = try await client.execute(uri: back.path, method: .get)
                #expect(anonymous.status == .ok && String(buffer: anonymous.body).contains("ver-en-el-portal"))
                var text = try await borrower.get(back.path).text
                for _ in 0..<60 where !text.contains("Pagado") {
                    try await Task.sleep(for: .milliseconds(50))
                    text = try await borrower.get(back.path).text
                }
                #expect(text.contains("Pagado"))
                let intentID = String(back.path.dropFirst("/pagos/regreso/".count))
                #expect(try await borrower.get("/portal/pagos/\(intentID)").text.contains("Pagado"))
                let posted = try await database.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM loan_events WHERE reference = \(bind: intentID) AND kind = 'payment'").first(decodingColumn: "n", as: Int.self)
                }
                #expect(posted == 1)
            }
        }
    }
}
