import App
import CarteraCore
import CarteraTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Lending
import SQLKit
import Store
import Testing

@Suite("Back office: products and cotizador")
struct LendingPagesTests {
    @Test("The catalogue lists the latest version; the cotizador quotes T3 under the product with its CAT")
    func cotizador() async throws {
        try await withBackOffice { database, client, _ in
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            let product = Product(
                code: "personal", name: "Crédito personal", annualRate: .percent(60), frequency: .mensual,
                minimumAmount: Money.mxn(centavos: 500_000), maximumAmount: Money.mxn(centavos: 5_000_000), minimumTerm: 6, maximumTerm: 36,
                openingFee: .percent(.percent(2))
            )
            _ = try await ProductCatalog(database: database).save(product, lenderID: lender, actor: .commandLine)
            let analyst = TestBrowser(client)
            try await analyst.signIn("u.analista.credito")
            let catalogue = try await analyst.get("/productos")
            #expect(catalogue.text.contains("<code>PERSONAL</code>") && catalogue.text.contains("actual/360"))
            let quote = try await analyst.get("/cotizador?producto=PERSONAL&monto=10000&plazo=12&inicio=2026-01-15")
            #expect(quote.status == .ok)
            #expect(quote.text.contains("CAT 87.0%"))
            #expect(quote.text.contains("$1179.73"))
            #expect(quote.text.contains("<td>2026-02-15</td>"))
            let outside = try await analyst.get("/cotizador?producto=PERSONAL&monto=100&plazo=12")
            #expect(outside.text.contains("El monto debe estar entre"))
            let unreadable = try await analyst.get("/cotizador?producto=PERSONAL&monto=mucho&plazo=12")
            #expect(unreadable.text.contains("Escriba el monto"))
        }
    }
}

@Suite("Back office: product form")
struct ProductFormTests {
    @Test("An administrator saves a product, then a new version; problems are shown with the typed values")
    func productForm() async throws {
        try await withBackOffice { database, client, clock in
            let admin = TestBrowser(client)
            try await admin.signIn("u.administrador")
            let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            try await admin.get("/productos/nuevo")
            var fields = [
                "code": "nomina", "name": "Crédito de nómina", "annualRate": "36", "dayCount": "actual/360", "frequency": "quincenal",
                "method": "french", "minimumAmount": "3000", "maximumAmount": "60000", "minimumTerm": "12", "maximumTerm": "6",
                "openingFeePercent": "1.5", "openingFeeTreatment": "financed", "iva": "16", "moratoriumMultiple": "2",
            ]
            let bad = try await admin.post("/productos", fields)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Los plazos deben ir de 1 a 1,200 pagos"))
            #expect(bad.text.contains(#"value="Crédito de nómina""#))
            fields["maximumTerm"] = "48"
            #expect(try await admin.post("/productos", fields).location == "/productos?aviso=guardado")
            try await admin.get("/productos/nuevo")
            fields["annualRate"] = "34.5"
            #expect(try await admin.post("/productos", fields).location == "/productos?aviso=guardado")
            let list = try await admin.get("/productos?aviso=guardado")
            #expect(list.text.contains("<code>NOMINA</code>") && list.text.contains("<td>2</td>") && list.text.contains("34.5%"))
            #expect(list.text.contains("1.5% financiada"))
        }
    }
}
