import CarteraCore
import Foundation
import Hummingbird
import Lending

/// `POST /api/v1/quotes`: the cotizador — schedule, totals and CAT for the terms given (scope `loans:read`).
struct QuoteAPIRoutes {
    let access: APIAccess
    let clock: @Sendable () -> Timestamp

    func add(to api: RouterGroup<AppRequestContext>) {
        let access = access
        let clock = clock
        api.post("/quotes") { request, context -> QuoteDocument in
            _ = try await access.require("loans:read", context)
            let body = try await request.body.collect(upTo: 16 * 1024)
            let input = try JSONBody.decode(QuoteInput.self, from: Data(body.readableBytesView))
            let quoteRequest = try input.request(today: clock().calendarDate(utcOffsetSeconds: -21_600))
            do {
                return QuoteDocument(try Quoting.quote(quoteRequest))
            } catch let refusal as QuoteRefusal {
                throw APIError(refusal, status: .unprocessableContent)
            }
        }
    }
}

extension QuoteDocument: ResponseEncodable {}
