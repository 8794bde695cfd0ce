@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import NIOCore
import HTTPTypes
import HummingbirdTesting
import Lending
import SQLKit
import Store
import Testing

@Suite("Back office: loans, payments, statements; the borrower's portal")
struct LoanPagesTests {
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("Analyst applies with the quote; the administrator approves, disburses, records a payment once, reverses it; the borrower sees loan and statement", arguments: TestEngine.available)
    func flow(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let borrowerClient = try await database.withConnection { db in
                try await db.raw("SELECT client_id FROM users WHERE role = 'acreditado'").first(decodingColumn: "client_id", as: String.self)
            }!

            let analyst = TestBrowser(client)
            try await analyst.signIn("u.analista.credito")
            let quoted = try await analyst.get("/creditos/nuevo?cliente=\(borrowerClient)&producto=MENSUAL&monto=12000&plazo=6")
            #expect(quoted.status == .ok && quoted.text.contains("CAT ") && quoted.text.contains("registrar-solicitud"))
            let tooLong = try await analyst.post("/creditos", ["cliente": borrowerClient, "producto": "MENSUAL", "monto": "12000", "plazo": "60"])
            #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("El plazo debe ser de 1 a 36 pagos"))
            let applied = try await analyst.post("/creditos", ["cliente": borrowerClient, "producto": "MENSUAL", "monto": "12000", "plazo": "6", "nota": "Primer crédito"])
            #expect(applied.status == .seeOther)
            let location = try #require(applied.headers[.location])
            let loanID = String(location.dropFirst("/creditos/".count).prefix { $0 != "?" })
            // The analyst cannot approve.
            #expect(try await analyst.post("/creditos/\(loanID)/aprobar").status == .forbidden)

            let admin = TestBrowser(client)
            try await admin.signIn("u.administrador")
            let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            try await admin.get("/creditos/\(loanID)")
            #expect(try await admin.post("/creditos/\(loanID)/aprobar", ["nota": "Comité 12"]).status == .seeOther)
            try await admin.get("/creditos/\(loanID)")
            // The borrower's file is empty: the disbursement is held, saying what is missing and where to complete it.
            let held = try await admin.post("/creditos/\(loanID)/disponer", ["fecha": "2026-03-10", "canal": "spei", "referencia": "RASTREO123"])
            #expect(held.status == .unprocessableContent && held.text.contains("El expediente del cliente está incompleto: Falta identificación oficial"), "\(held.status) \(Self.error(in: held.text))")
            // The analyst uploads the ID through the file's page and records the cotejo; a PNG named like a PDF is fine,
            // a text file is not.
            let file = try await analyst.get("/clientes/\(borrowerClient)/expediente")
            #expect(file.status == .ok && file.text.contains("Expediente incompleto") && file.text.contains("subir-documento"))
            let text = try await analyst.upload("/clientes/\(borrowerClient)/expediente", ["tipo": "identificacion_oficial", "persona": "cliente", "vencimiento": "2031-12-31"], file: ("archivo", "ine.pdf", Data("hola".utf8)))
            #expect(text.status == .unprocessableContent && text.text.contains("El archivo no es PDF, JPEG ni PNG"))
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
            let uploaded = try await analyst.upload("/clientes/\(borrowerClient)/expediente", ["tipo": "identificacion_oficial", "persona": "cliente", "vencimiento": "2031-12-31"], file: ("archivo", "ine.pdf", png))
            #expect(uploaded.status == .ok && uploaded.text.contains("«Identificación oficial»: documento recibido; falta cotejarlo contra el original.") && uploaded.text.contains("Por cotejar"))
            let documentID = "doc_" + (try #require(uploaded.text.range(of: "/expediente/doc_").map { String(uploaded.text[$0.upperBound...].prefix { $0.isHexDigit }) }))
            let verified = try await analyst.post("/clientes/\(borrowerClient)/expediente/\(documentID)/cotejo")
            #expect(verified.text.contains("«Identificación oficial»: documento cotejado con el original."), "\(documentID) \(verified.status) \(Self.error(in: verified.text))")
            // The analyst opens it; collections may see the checklist but not the document.
            let opened = try await analyst.get("/clientes/\(borrowerClient)/expediente/\(documentID)")
            #expect(opened.status == .ok && opened.headers[.contentType] == "image/png" && Array(opened.body.readableBytesView) == Array(png), "\(opened.status)")
            let collector = TestBrowser(client)
            try await collector.signIn("u.gestor.cobranza")
            #expect(try await collector.get("/clientes/\(borrowerClient)/expediente").status == .ok)
            #expect(try await collector.get("/clientes/\(borrowerClient)/expediente/\(documentID)").status == .forbidden)
            // The rest of the file arrives; now the loan is disbursed.
            try await TestFiles.complete(borrowerClient, lenderID: lender, database: database)
            #expect(try await analyst.get("/clientes/\(borrowerClient)/expediente").text.contains("Expediente completo."))
            try await admin.get("/creditos/\(loanID)")
            let disbursed = try await admin.post("/creditos/\(loanID)/disponer", ["fecha": "2026-03-10", "canal": "spei", "referencia": "RASTREO123"])
            #expect(disbursed.status == .seeOther, "\(disbursed.status) \(Self.error(in: disbursed.text))")
            let page = try await admin.get("/creditos/\(loanID)")
            #expect(page.text.contains("Vigente") && page.text.contains("tabla-pagos") && page.text.contains("Cartera vigente — capital"))
            let idem = try #require(Self.hidden("idem", in: page.text))
            let fields = ["monto": "2500.00", "fecha": "2026-04-10", "canal": "efectivo", "referencia": "", "excedente": "advance", "idem": idem]
            // On failure the page's error says why (seen once in CI under load, not reproduced since).
            let recorded = try await admin.post("/creditos/\(loanID)/pagos", fields)
            #expect(recorded.status == .seeOther, "\(recorded.status) \(Self.error(in: recorded.text))")
            try await admin.get("/creditos/\(loanID)")
            // The same form sent again (a double click): no second payment.
            let again = try await admin.post("/creditos/\(loanID)/pagos", fields)
            #expect(again.status == .seeOther, "\(again.status) \(Self.error(in: again.text))")
            let payments = try await LoanBook(database: database).payments(loanID, lenderID: lender)
            #expect(payments.count == 1)
            let bad = try await admin.post("/creditos/\(loanID)/pagos", ["monto": "mucho", "fecha": "", "canal": "spei", "excedente": "advance", "idem": "otro"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("El monto se escribe como 1250.00."))

            let statement = try await admin.get("/creditos/\(loanID)/estado-de-cuenta?desde=2026-03-01&hasta=2026-04-30")
            #expect(statement.status == .ok)
            #expect(statement.text.contains("sin IVA. Para fines informativos y de comparación"))
            #expect(statement.text.contains("Disposición del crédito") && statement.text.contains("Pago recibido") && statement.text.contains("Intereses del pago 1"))

            try await admin.get("/creditos/\(loanID)")
            let reversed = try await admin.post("/creditos/\(loanID)/pagos/\(payments[0].id)/cancelar", ["motivo": "Billete falso"])
            #expect(reversed.status == .seeOther)
            let after = try await admin.get("/creditos/\(loanID)")
            #expect(after.text.contains("Billete falso"))

            // The borrower sees the loan and its statement, and nobody else's loans.
            let borrower = TestBrowser(client)
            try await borrower.signIn("u.acreditado")
            let portal = try await borrower.get("/portal")
            #expect(portal.text.contains(loanID))
            let mine = try await borrower.get("/portal/creditos/\(loanID)")
            #expect(mine.status == .ok && mine.text.contains("tabla-pagos"))
            #expect(try await borrower.get("/portal/creditos/\(loanID)/estado-de-cuenta").text.contains("Estado de cuenta"))
            #expect(try await borrower.get("/creditos/\(loanID)").status == .forbidden)

            let other = try await database.transaction { db in
                try await ClientDirectory(database: database, keys: TestKeys.live).create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db)
            }
            let foreign = try await database.transaction { db in
                try await LoanBook(database: database).apply(.init(clientId: other.id, productCode: "MENSUAL", amount: "5000", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            #expect(try await borrower.get("/portal/creditos/\(foreign.id)").status == .notFound)

            let report = try await LedgerVerification(database: database, book: LoanBook(database: database)).run()
            #expect(report.ok, "\(report.problems)")
        }
    }

    /// The error a page shows (`id="error"`), for failure messages.
    static func error(in page: String) -> String {
        guard let start = page.range(of: "id=\"error\"") else { return "" }
        return String(page[start.upperBound...].prefix(300))
    }
}
