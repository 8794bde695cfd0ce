import Analytics
@testable import App
import CarteraCore
import CarteraTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Store
import Testing

@Suite("Origination scoring: a card trained on German credit published as a version, applications scored with it, PSI of the applicants")
struct OriginationScoringTests {
    static func report() throws -> (ScorecardTraining.Report, [[String]])? {
        guard SharedFixtures.enabled else { return nil }
        let text = try String(contentsOf: SharedFixtures.url("credit/germancredit.csv"), encoding: .utf8)
        let table = text.split(whereSeparator: \.isNewline).map { SharedFixtures.csvFields(String($0)) }
        return (try ScorecardTraining.train(try ScoringData.table(table, target: "creditability", badValue: "bad")), table)
    }

    static func apiError(_ body: () async throws -> Void) async -> APIError? {
        do { try await body() } catch let error as APIError { return error } catch { return nil }
        return nil
    }

    @Test("Published with its cut-offs, an application is scored exactly as the card scores it (points, reasons, recommendation); a decided loan is refused; the applicants' PSI is the card's reference against their scores", .enabled(if: SharedFixtures.enabled), arguments: TestEngine.available)
    func publishAndScore(engine: TestEngine) async throws {
        let (report, table) = try #require(try Self.report())
        try await withBackOffice(on: engine) { database, client, clock in
            let fixture = try await LoanFixture.make(database)
            let scoring = OriginationScoring(database: database, keys: TestKeys.live)
            let lender = fixture.lenderID
            #expect(await Self.apiError { _ = try await scoring.publish(report, name: "x", cutoffs: .init(approve: 500, review: 600), lenderID: lender, actor: .commandLine) }?.code == "scoring_model_invalid")
            let published = try await scoring.publish(report, name: "Originación 2026", cutoffs: .init(approve: 560, review: 500), lenderID: lender, actor: .commandLine)
            #expect(published.version == 1 && published.metrics.holdout.auc == report.holdout.auc && published.metrics.reference == report.reference)
            #expect(try await scoring.models(lenderID: lender).first == published)

            // Two applications, scored with the values of the file's first and second rows.
            let book = LoanBook(database: database)
            var loans: [String] = []
            for _ in 0..<2 {
                let loan = try await database.transaction { db in
                    try await book.apply(.init(clientId: fixture.clientID, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
                }
                loans.append(loan.id)
            }
            let header = table[0]
            func values(_ row: Int) -> [String: String] {
                Dictionary(zip(header, table[row]).filter { $0.0 != "creditability" }.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
            }
            let first = try await scoring.score(loanID: loans[0], values: values(1), lenderID: lender, actor: .commandLine)
            let expected = report.card.score(values(1), cutoffs: .init(approve: 560, review: 500))
            #expect(first.score == expected.score && first.parts == expected.parts && first.adverseReasons == expected.adverseReasons && first.recommendation == expected.recommendation)
            #expect(first.reasons.count == expected.adverseReasons.count && first.reasons.allSatisfy { $0.contains(" de ") && $0.contains("puntos posibles") })

            // Through the API: the second application; its scores read back.
            let headers = try await ClientAPITests().token(client, database, scopes: ["loans:read", "loans:write"])
            var body: [String: [String: String]] = ["values": values(2)]
            let scored = try await client.execute(uri: "/api/v1/loans/\(loans[1])/score", method: .post, headers: headers, body: ByteBuffer(bytes: try JSONEncoder().encode(body)))
            #expect(scored.status == .ok)
            let second = try JSONDecoder().decode(OriginationScoring.ApplicationScore.self, from: Data(scored.body.readableBytesView))
            #expect(second.score == report.card.score(values(2)).score && second.modelVersion == 1)
            body = ["values": ["purpose": "4111111111111111"]]
            #expect(try await client.execute(uri: "/api/v1/loans/\(loans[1])/score", method: .post, headers: headers, body: ByteBuffer(bytes: try JSONEncoder().encode(body))).status == .unprocessableContent)
            let reader = try await ClientAPITests().token(client, database, scopes: ["loans:read"])
            #expect(try await client.execute(uri: "/api/v1/loans/\(loans[0])/scores", method: .get, headers: reader).status == .forbidden)
            let listed = try await client.execute(uri: "/api/v1/loans/\(loans[0])/scores", method: .get, headers: headers)
            #expect(String(buffer: listed.body).contains(first.id))
            #expect(try await scoring.scores(loanID: loans[0], lenderID: lender) == [first])
            // Staff see the score and its reasons on the application's page.
            let admin = TestBrowser(client)
            try await admin.signIn("u.administrador")
            let secret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            let page = try await admin.get("/creditos/\(loans[1])")
            #expect(page.text.contains("Puntaje de originación: \(second.score) — \(second.recommendation.rawValue)") && page.text.contains(second.reasons.first ?? "—"))

            // A decided loan is not scored; the values are stored encrypted.
            _ = try await book.decide(loans[0], approve: true, note: nil, lenderID: lender, actor: .commandLine)
            #expect(await Self.apiError { _ = try await scoring.score(loanID: loans[0], values: values(1), lenderID: lender, actor: .commandLine) }?.code == "loan_status_conflict")
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT inputs, parts, adverse FROM application_scores").all().map {
                    [try $0.decode(column: "inputs", as: String.self), try $0.decode(column: "parts", as: String.self), try $0.decode(column: "adverse", as: String.self)]
                }
            }
            #expect(stored.count == 2 && stored.joined().allSatisfy { $0.hasPrefix("v1.") && !$0.contains("duration") })

            let monitoring = try #require(try await scoring.monitoring(lenderID: lender))
            #expect(monitoring.applications == 2 && monitoring.psi == report.reference.index(actual: [first.score, second.score]))
            #expect(try await scoring.publish(report, name: "Originación 2026 b", cutoffs: .init(), lenderID: lender, actor: .commandLine).version == 2)
        }
    }
}
