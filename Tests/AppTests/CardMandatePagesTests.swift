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
}
