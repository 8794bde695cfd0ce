import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/clients/{id}/bureau-authorizations` and `/bureau-reports`: the borrower's authorisation to query a credit
/// bureau, and the queries (each one charged by the bureau, so they have a scope of their own, `bureau:query`).
struct BureauAPIRoutes {
    let queries: CreditBureauQueries
    let access: APIAccess

    struct AuthorizationRequest: Decodable {
        let signedOn: String
        let channel: String
        let evidence: String
    }

    struct QueryRequest: Decodable {
        let authorizationId: String?
    }

    struct Reports: ResponseEncodable {
        let reports: [CreditBureauQueries.Report]
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let queries = queries
        let access = access

        api.post("/clients/:id/bureau-authorizations") { request, context -> Response in
            let client = try await access.require("clients:write", context)
            let body = try await request.body.collect(upTo: 16 * 1024)
            let input = try JSONBody.decode(AuthorizationRequest.self, from: Data(body.readableBytesView))
            let recorded = try await queries.authorize(
                clientID: context.parameters.get("id") ?? "", signedOn: input.signedOn, channel: input.channel, evidence: input.evidence, lenderID: client.lenderID,
                actor: APIAccess.actor(client, context)
            )
            var response = try recorded.response(from: request, context: context)
            response.status = .created
            return response
        }

        api.post("/clients/:id/bureau-reports") { request, context -> Response in
            let client = try await access.require("bureau:query", context)
            let body = try await request.body.collect(upTo: 8 * 1024)
            let input = body.readableBytes == 0 ? QueryRequest(authorizationId: nil) : try JSONBody.decode(QueryRequest.self, from: Data(body.readableBytesView))
            let report = try await queries.query(
                clientID: context.parameters.get("id") ?? "", authorizationID: input.authorizationId, lenderID: client.lenderID, actor: APIAccess.actor(client, context)
            )
            var response = try report.response(from: request, context: context)
            response.status = .created
            return response
        }

        api.get("/clients/:id/bureau-reports") { _, context -> Reports in
            let client = try await access.require("bureau:query", context)
            return Reports(reports: try await queries.reports(clientID: context.parameters.get("id") ?? "", lenderID: client.lenderID))
        }
    }
}

extension CreditBureauQueries.Authorization: ResponseEncodable {}
extension CreditBureauQueries.Report: ResponseEncodable {}
