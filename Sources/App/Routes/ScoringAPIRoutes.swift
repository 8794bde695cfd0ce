import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/loans/{id}/score` and `/scores`: an application scored with the lender's scorecard in force, and the
/// scores it got.
struct ScoringAPIRoutes {
    let scoring: OriginationScoring
    let access: APIAccess

    struct ScoreRequest: Decodable {
        /// Variable → value, as in the training file.
        let values: [String: String]
    }

    struct Scores: ResponseEncodable {
        let scores: [OriginationScoring.ApplicationScore]
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let scoring = scoring
        let access = access

        api.post("/loans/:id/score") { request, context -> OriginationScoring.ApplicationScore in
            let client = try await access.require("loans:write", context)
            let body = try await request.body.collect(upTo: 64 * 1024)
            let values = try JSONBody.decode(ScoreRequest.self, from: Data(body.readableBytesView)).values
            return try await scoring.score(loanID: context.parameters.get("id") ?? "", values: values, lenderID: client.lenderID, actor: APIAccess.actor(client, context))
        }

        // The scores name the applicant's values (bureau data among them): those who score applications read them.
        api.get("/loans/:id/scores") { _, context -> Scores in
            let client = try await access.require("loans:write", context)
            return Scores(scores: try await scoring.scores(loanID: context.parameters.get("id") ?? "", lenderID: client.lenderID))
        }
    }
}

extension OriginationScoring.ApplicationScore: ResponseEncodable {}
