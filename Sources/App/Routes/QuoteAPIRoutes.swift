import CarteraCore
import Foundation
import Hummingbird
import Lending

/// `POST /api/v1/quotes`: the cotizador — schedule, totals and CAT for the terms given (scope `loans:read`).
struct QuoteAPIRoutes {
    let access: APIAccess
    let catalog: ProductCatalog
    let clock: @Sendable () -> Timestamp

    func add(to api: RouterGroup<AppRequestContext>) {
        let access = access
        let catalog = catalog
        let clock = clock
        api.post("/quotes") { request, context -> QuoteDocument in
            let client = try await access.require("loans:read", context)
            let body = try await request.body.collect(upTo: 16 * 1024)
            let today = clock().calendarDate(utcOffsetSeconds: -21_600)
            do {
                // With a product, its terms and limits apply; only amount, term and start come from the request.
                if let productCode = try? JSONDecoder().decode(ProductQuoteInput.self, from: Data(body.readableBytesView)) {
                    guard let product = try await catalog.product(code: productCode.product, version: productCode.productVersion, lenderID: client.lenderID) else {
                        throw APIError(status: .unprocessableContent, code: "product_not_found", message: "No existe el producto «\(productCode.product)».")
                    }
                    guard let principal = try? Money(parsing: productCode.principal) else {
                        throw APIError(status: .unprocessableContent, code: "quote_invalid", message: "Revise el monto.",
                                       details: [.init(field: "principal", code: "invalid", message: "El monto debe ser una cantidad como 15000.00.")])
                    }
                    return QuoteDocument(try product.quote(principal: principal, term: productCode.term, start: productCode.start ?? today))
                }
                let input = try JSONBody.decode(QuoteInput.self, from: Data(body.readableBytesView))
                return QuoteDocument(try Quoting.quote(try input.request(today: today)))
            } catch let refusal as QuoteRefusal {
                throw APIError(refusal, status: .unprocessableContent)
            }
        }
    }
}

extension QuoteDocument: ResponseEncodable {}

/// A quote under a stored product.
struct ProductQuoteInput: Decodable {
    let product: String
    let productVersion: Int?
    let principal: String
    let term: Int
    let start: CalendarDate?
}
