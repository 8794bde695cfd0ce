import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Integrations

/// Domiciliación through the API: `POST /api/v1/loans/{id}/card-mandates` saves a tokenised card with the borrower's
/// authorisation, `GET` lists a loan's authorisations or shows one with its due-date charges, and
/// `POST /api/v1/card-mandates/{id}/revocation` ends one.
struct CardMandateAPIRoutes {
    let mandates: CardMandateBook
    let access: APIAccess

    struct Listing: ResponseEncodable {
        let mandates: [CardMandateRecord]
    }

    struct Detail: ResponseEncodable {
        let mandate: CardMandateRecord
        let charges: [RecurringChargeRecord]
    }

    struct Revocation: Decodable {
        let reason: String?
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let mandates = mandates
        let access = access

        api.post("/loans/:id/card-mandates") { request, context -> Response in
            let client = try await access.require("payments:write", context)
            let body = try await LoanAPIRoutes.body(CardMandateBook.Request.self, request, limit: 8 * 1024)
            let record = try await mandates.create(loanID: try LoanAPIRoutes.id(context), body, lenderID: client.lenderID, channel: "api", actor: APIAccess.actor(client, context))
            return LoanAPIRoutes.json(201, try LoanBook.jsonEncoder.encode(record))
        }

        api.get("/loans/:id/card-mandates") { _, context -> Listing in
            let client = try await access.require("payments:read", context)
            return Listing(mandates: try await mandates.mandates(loanID: try LoanAPIRoutes.id(context), lenderID: client.lenderID))
        }

        api.get("/card-mandates/:id") { _, context -> Detail in
            let client = try await access.require("payments:read", context)
            let mandate = try await mandates.mandate(try LoanAPIRoutes.id(context), lenderID: client.lenderID)
            return Detail(mandate: mandate, charges: try await mandates.charges(mandateID: mandate.id))
        }

        api.post("/card-mandates/:id/revocation") { request, context -> CardMandateRecord in
            let client = try await access.require("payments:write", context)
            let body = try await LoanAPIRoutes.body(Revocation.self, request, limit: 8 * 1024)
            return try await mandates.revoke(try LoanAPIRoutes.id(context), reason: body.reason ?? "", lenderID: client.lenderID, actor: APIAccess.actor(client, context))
        }
    }
}

extension CardMandateRecord: ResponseEncodable {}
extension RecurringChargeRecord: ResponseEncodable {}
