import Analytics
@testable import App
import CarteraCore
import CarteraTestSupport
import Clients
import Foundation
import Hummingbird
import HummingbirdTesting
import Integrations
import Sandbox
import SQLKit
import Store
import Testing

@Suite("Credit-bureau queries: only with the borrower's authorisation, one query each, the answer kept encrypted, its variables in the origination score")
struct CreditBureauQueriesTests {
    static func apiError(_ body: () async throws -> Void) async -> APIError? {
        do { try await body() } catch let error as APIError { return error } catch { return nil }
        return nil
    }

    /// A Círculo sandbox on a port of its own, and settings to reach it.
    static func withCirculo(_ body: @escaping @Sendable (CirculoSandbox, SandboxFaults, CirculoClient.Settings) async throws -> Void) async throws {
        let faults = SandboxFaults()
        let sandbox = CirculoSandbox(faults: faults)
        let router = Router()
        sandbox.add(to: router, prefix: "/circulo")
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)/circulo"
            let settings = CirculoClient.Settings(
                baseURL: { base }, apiKey: CirculoSandbox.apiKey, username: CirculoSandbox.username, password: CirculoSandbox.password,
                signer: try CirculoSigner(privateKeyPEM: CirculoSandbox.lenderPrivateKeyPEM)
            )
            try await body(sandbox, faults, settings)
        }
    }

    @Test("No query without an authorisation; one query per authorisation; the report's score is the sandbox's; a bureau that is down leaves the authorisation unused; a card using circulo_score scores from the report", arguments: TestEngine.available)
    func authorisedQueries(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let fixture = try await LoanFixture.make(database)
            let lender = fixture.lenderID
            try await Self.withCirculo { sandbox, faults, settings in
                let queries = CreditBureauQueries(database: database, keys: TestKeys.live, settings: settings)
                let today = Timestamp.now.calendarDate(utcOffsetSeconds: -6 * 3600)

                // Without an authorisation nothing reaches the bureau.
                #expect(await Self.apiError { _ = try await queries.query(clientID: fixture.clientID, lenderID: lender, actor: .commandLine) }?.code == "bureau_authorization_required")
                #expect(sandbox.queries.isEmpty)
                let refused = await Self.apiError {
                    _ = try await queries.authorize(clientID: fixture.clientID, signedOn: today.adding(days: 1).text, channel: "verbal", evidence: "x", lenderID: lender, actor: .commandLine)
                }
                #expect(Set(refused?.details.map(\.code) ?? []) == ["in_future", "invalid"] && refused?.details.count == 3)
                #expect(await Self.apiError {
                    _ = try await queries.authorize(clientID: fixture.clientID, signedOn: today.adding(months: -4).text, channel: "autografa", evidence: "Formato 17 firmado", lenderID: lender, actor: .commandLine)
                }?.details.map(\.code) == ["expired"])

                // The bureau is down: the query fails clearly and the authorisation is still there to use.
                let authorization = try await queries.authorize(
                    clientID: fixture.clientID, signedOn: today.text, channel: "electronica", evidence: "NIP 4471 capturado en la solicitud en línea", lenderID: lender, actor: .commandLine
                )
                #expect(authorization.validUntil == today.adding(months: 3))
                faults.set(.status(503))
                let down = await Self.apiError { _ = try await queries.query(clientID: fixture.clientID, lenderID: lender, actor: .commandLine) }
                #expect(down?.code == "circulo_unavailable" && down?.status == .badGateway)
                faults.set(.none)

                let report = try await queries.query(clientID: fixture.clientID, lenderID: lender, actor: .commandLine)
                let rfc = try #require(ClientSamples.individual.individual?.rfc?.uppercased())
                let recorded = try #require(sandbox.queries.last)
                #expect(sandbox.queries.count == 1 && recorded.rfc == rfc && recorded.folioOtorgante == CreditBureauQueries.folio(authorization.id))
                if CirculoSandbox.isNoHit(rfc: rfc) {
                    #expect(report.outcome == "sin_historial" && report.score == nil)
                } else {
                    let expected = CirculoSandbox.profile(rfc: rfc, today: today)
                    #expect(report.outcome == "reporte" && report.score == expected.score && report.variables["circulo_score"] == String(expected.score))
                    #expect(report.variables["circulo_peor_atraso"] == String(expected.accounts.map(\.peorAtraso).max() ?? 0))
                    #expect(report.variables["circulo_cuentas_abiertas"] == String(expected.accounts.count))
                }
                // Used: a second query needs a new authorisation.
                #expect(await Self.apiError { _ = try await queries.query(clientID: fixture.clientID, lenderID: lender, actor: .commandLine) }?.code == "bureau_authorization_required")
                #expect(sandbox.queries.count == 1)
                #expect(try await queries.reports(clientID: fixture.clientID, lenderID: lender) == [report])
                let raw = try await database.withConnection { db in
                    try await db.raw("SELECT report FROM bureau_reports").all(decodingColumn: "report", as: String.self)
                }
                #expect(raw.count == 1 && raw[0].hasPrefix("v1.") && !raw[0].contains("folio"))
                let actions = try await database.withConnection { db in
                    try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'bureau.%'").all(decodingColumn: "action", as: String.self)
                }
                #expect(Set(actions) == ["bureau.authorization_recorded", "bureau.query_failed", "bureau.queried"])

                // A card trained on circulo_score scores an application from the stored report.
                var table = [["circulo_score", "malo"]]
                for index in 0..<400 {
                    let score = 450 + index * 7 % 400
                    table.append([String(score), score < 620 ? (index % 4 == 0 ? "0" : "1") : (index % 9 == 0 ? "1" : "0")])
                }
                let trained = try ScorecardTraining.train(try ScoringData.table(table, target: "malo", badValue: "1"))
                let scoring = OriginationScoring(database: database, keys: TestKeys.live)
                _ = try await scoring.publish(trained, name: "Buró", cutoffs: .init(), lenderID: lender, actor: .commandLine)
                let loan = try await database.transaction { db in
                    try await LoanBook(database: database).apply(.init(clientId: fixture.clientID, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
                }
                // The report's variables cannot be sent with the request.
                #expect(await Self.apiError { _ = try await scoring.score(loanID: loan.id, values: ["circulo_score": "850"], lenderID: lender, actor: .commandLine) }?.details.map(\.code) == ["bureau_variable_not_allowed"])
                let scored = try await scoring.score(loanID: loan.id, values: [:], lenderID: lender, actor: .commandLine)
                #expect(scored.parts.first { $0.variable == "circulo_score" }?.value == report.variables["circulo_score"])
                #expect(scored.score == trained.card.score(report.variables).score)
            }
        }
    }
}
