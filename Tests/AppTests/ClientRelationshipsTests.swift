@testable import App
import CarteraCore
import CarteraTestSupport
import Clients
import Compliance
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Store
import Testing

@Suite("Client relationships: groups from clients' data, a link to a high-risk client raises the grade, the graph page")
struct ClientRelationshipsTests {
    @Test("A company, the person who represents it and a neighbour form one group; a busy phone links nobody; confirming the person on the blocked list marks the others and their grades take it", arguments: TestEngine.available)
    func groupsAndGrades(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, clock in
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            func create(_ profile: ClientProfile) async throws -> String {
                try await database.transaction { db in try await directory.create(profile, lenderID: lender, actor: .commandLine, on: db) }.id
            }
            let gloria = try await create(ClientSamples.individual)
            let company = try await create(ClientSamples.company)
            var random = SplitMix64(seed: 99)
            var neighbour = DemoPortfolio.person(5, &random)
            neighbour.address = ClientSamples.address
            let vecina = try await create(neighbour)
            // Four strangers sharing one phone (a shop's): over a hub limit of 3 it links none of them.
            var strangers: [String] = []
            for index in 10..<14 {
                var person = DemoPortfolio.person(index, &random)
                person.phones = ["5511112222"]
                strangers.append(try await create(person))
            }

            let relationships = ClientRelationships(database: database, keys: TestKeys.live)
            let first = try await relationships.rebuild(lenderID: lender, hubLimit: 3)
            // The borrower the test staff brings, the three here and the four strangers.
            #expect(first.clients == 8 && first.groups == 1 && first.largestGroup == 3 && first.hubs == ["telefono": 1] && first.linkedHighRisk == 0 && first.regrade == 0)
            let group = try #require(try await relationships.group(of: vecina, lenderID: lender))
            #expect(Set(group.members.map(\.clientId)) == [gloria, company, vecina] && group.members.allSatisfy { !$0.highRisk })
            let kinds = Dictionary(group.edges.map { (Set([$0.from, $0.to]), $0.kinds) }, uniquingKeysWith: { first, _ in first })
            // Her CURP is the company's representative's; the shared address links the three (from the first of them by id).
            #expect(kinds[[gloria, company]]?.contains("representante") == true && group.edges.filter { $0.kinds.contains("domicilio") }.count == 2)
            #expect(try await relationships.group(of: strangers[0], lenderID: lender)?.members.count == 1)

            // Gloria is confirmed on the blocked-persons list: her group is marked, the others queued and graded with the link.
            let watchlists = Watchlists(database: database)
            _ = try await watchlists.importList(
                [ListEntry(id: "LPB:17", list: "LPB", kind: .individual, name: "HERNANDEZ GARCIA, Gloria", birthDates: ["1956-04-27"])],
                list: "LPB", format: "csv", purpose: .blocking, files: [Array("v1".utf8)], actor: .commandLine
            )
            let screening = ClientScreening(database: database, keys: TestKeys.live)
            _ = try await screening.screenAll(actor: .commandLine)
            let hit = try #require(try await screening.hits(status: .pending, clientID: gloria, lenderID: lender).first)
            _ = try await screening.review(hit.id, confirm: true, note: "Misma fecha de nacimiento y CURP del oficio", lenderID: lender, actor: .commandLine)
            let second = try await relationships.rebuild(lenderID: lender, hubLimit: 3)
            #expect(second.linkedHighRisk == 2 && second.regrade == 2)
            let grades = RiskGrades(database: database, keys: TestKeys.live)
            _ = try await grades.assessPending(all: false, actor: .commandLine)
            let graded = try #require(try await grades.history(clientID: vecina, lenderID: lender).first)
            #expect(graded.occasion == "vinculos" && graded.parts.contains { $0.factor == "comportamiento" && $0.value == "vinculado_alto_riesgo" })
            #expect(try await relationships.group(of: vecina, lenderID: lender)?.members.first { $0.clientId == gloria }?.highRisk == true)
            // Unchanged, a third build queues nobody.
            #expect(try await relationships.rebuild(lenderID: lender, hubLimit: 3).regrade == 0)

            // The compliance officer sees the group as a graph; collections cannot.
            let officer = TestBrowser(client)
            try await officer.signIn("u.oficial.cumplimiento")
            let secret = try #require(Authenticator.secret(fromPage: try await officer.get("/cuenta/segundo-factor").text))
            try await officer.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: secret, at: clock.read().date)])
            let page = try await officer.get("/cumplimiento/vinculos/\(vecina)")
            #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("Grupo de 3 cliente(s)") && page.text.contains("representante") && page.text.contains("domicilio"))
            #expect(page.text.contains("#b91c1c") && page.text.contains("<strong>Alto riesgo</strong>"))
            let dashboard = try await officer.get("/cumplimiento")
            #expect(dashboard.text.contains("/cumplimiento/vinculos/") && dashboard.text.contains("con cliente de alto riesgo"))
            // The client's page shows compliance its grade with the reasons; collections see neither grade nor credit reports.
            let clientPage = try await officer.get("/clientes/\(vecina)")
            // (No credit report yet: nothing read, nothing audited.)
            #expect(try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'bureau.report_read'").first(decodingColumn: "n", as: Int.self) } == 0)
            #expect(clientPage.text.contains("id=\"riesgo-pld\"") && clientPage.text.contains("vinculado_alto_riesgo") && clientPage.text.contains("id=\"buro\""))
            let reports = try await officer.get("/cumplimiento/reportes")
            #expect(reports.status == .ok && reports.text.contains("Aún no se ha generado ningún reporte."))
            // The audit log shows PLD work to compliance, not to the administrator.
            #expect(try await officer.get("/auditoria?accion=compliance").text.contains("compliance.hit_confirmed"))
            let admin = TestBrowser(client)
            try await admin.signIn("u.administrador")
            let adminSecret = try #require(Authenticator.secret(fromPage: try await admin.get("/cuenta/segundo-factor").text))
            try await admin.post("/cuenta/segundo-factor", ["code": Authenticator.code(secret: adminSecret, at: clock.read().date)])
            let adminAudit = try await admin.get("/auditoria?accion=compliance")
            #expect(adminAudit.status == .ok && adminAudit.text.contains("pld-confidencial") && !adminAudit.text.contains("compliance.hit_confirmed"))
            #expect(!(try await admin.get("/auditoria").text.contains("client.suspended")))
            let collector = TestBrowser(client)
            try await collector.signIn("u.gestor.cobranza")
            #expect(try await collector.get("/cumplimiento/vinculos/\(vecina)").status == .forbidden)
            let seenByCollector = try await collector.get("/clientes/\(vecina)")
            #expect(seenByCollector.status == .ok && !seenByCollector.text.contains("riesgo-pld") && !seenByCollector.text.contains("id=\"buro\""))
        }
    }
}
