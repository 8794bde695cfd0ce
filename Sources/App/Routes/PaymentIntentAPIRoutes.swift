import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations
import Payments

/// Payments through a gateway: `POST /api/v1/loans/{id}/payment-intents` asks the gateway (card token, OXXO reference
/// or SPEI CLABE), `GET` lists a loan's intents or shows one with its attempts, and
/// `POST /api/v1/payment-intents/{id}/refunds` returns money with a reason.
struct PaymentIntentAPIRoutes {
    let intents: PaymentIntentBook
    let access: APIAccess

    struct Listing: ResponseEncodable {
        let intents: [PaymentIntentRecord]
    }

    struct Detail: ResponseEncodable {
        let intent: PaymentIntentRecord
        let attempts: [PaymentAttemptRecord]
    }

    struct RefundRequest: Decodable {
        let amount: String?
        let reason: String?
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let intents = intents
        let access = access

        api.post("/loans/:id/payment-intents") { request, context -> Response in
            let client = try await access.require("payments:write", context)
            let body = try await LoanAPIRoutes.body(PaymentIntentBook.Request.self, request, limit: 8 * 1024)
            if body.method == "card", body.token == nil, let back = body.returnUrl {
                // The provider's card page: the intent is pending with the page's address as `voucherUrl`.
                guard let url = URL(string: back), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw APIError(status: .unprocessableContent, code: "return_url_invalid", message: "returnUrl debe ser una dirección http(s) completa.")
                }
                let page = try await intents.checkout(
                    loanID: try LoanAPIRoutes.id(context), body, returnURL: { _ in back }, lenderID: client.lenderID, actor: APIAccess.actor(client, context)
                )
                return LoanAPIRoutes.json(201, try LoanBook.jsonEncoder.encode(page.intent))
            }
            let record = try await intents.create(loanID: try LoanAPIRoutes.id(context), body, lenderID: client.lenderID, actor: APIAccess.actor(client, context))
            // 201 with the intent as it stands (a declined card is a failed intent); 202 while the gateway's answer is unknown.
            return LoanAPIRoutes.json(record.status == .created ? 202 : 201, try LoanBook.jsonEncoder.encode(record))
        }

        api.get("/loans/:id/payment-intents") { _, context -> Listing in
            let client = try await access.require("payments:read", context)
            return Listing(intents: try await intents.intents(loanID: try LoanAPIRoutes.id(context), lenderID: client.lenderID))
        }

        api.get("/payment-intents/:id") { _, context -> Detail in
            let client = try await access.require("payments:read", context)
            let intent = try await intents.intent(try LoanAPIRoutes.id(context), lenderID: client.lenderID)
            return Detail(intent: intent, attempts: try await intents.attempts(intent.id))
        }

        api.post("/payment-intents/:id/refunds") { request, context -> PaymentIntentRecord in
            let client = try await access.require("payments:reverse", context)
            let body = try await LoanAPIRoutes.body(RefundRequest.self, request, limit: 8 * 1024)
            return try await intents.refund(
                try LoanAPIRoutes.id(context), amount: body.amount, reason: body.reason ?? "", lenderID: client.lenderID, actor: APIAccess.actor(client, context)
            )
        }
    }
}

extension PaymentIntentRecord: ResponseEncodable {}
extension PaymentAttemptRecord: ResponseEncodable {}
