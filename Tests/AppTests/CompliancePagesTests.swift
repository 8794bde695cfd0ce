@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Compliance
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Store
import Testing

@Suite("Back office: compliance pages")
struct CompliancePagesTests {
    @Test("The compliance officer reviews a blocked-list match, the client is suspended and the 24-hour case is taken to the UIF folio; the auditor sees it all without forms", arguments: TestEngine.available)
    func officerFlow(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let staff = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            _ = try await Watchlists(database: database).importList(
                [ListEntry(id: "LPB:17", list: "LPB", kind: .individual, name: "HERNANDEZ GARCIA, Gloria", birthDates: ["1956-04-27"])],
                list: "LPB", format: "csv", purpose: .blocking, files: [Array("v1".utf8)], actor: .commandLine
            )
            let gloria = try await database.transaction { db in try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db) }
            let hit = try #require(try await directory.screening.hits(lenderID: lender).first)

            let sessions = WebSessions(database: database, keys: TestKeys.live, clock: { .now })
            func session(_ role: Role) async throws -> (String, String) {
                let token = try await database.transaction { db in
                    try await sessions.start(userID: staff.ids[role]!, state: .active, ipAddress: "127.0.0.1", userAgent: "prueba", on: db)
                }
                return ("cartera_session=\(token)", try #require(try await sessions.find(token: token)).csrfToken)
            }
            let officer = try await session(.oficialCumplimiento)
            let auditor = try await session(.auditor)
            let app = try await makeApp(database)
            try await app.test(.router) { client in
                func get(_ path: String, as who: (String, String)) async throws -> (HTTPResponse.Status, String) {
                    let response = try await client.execute(uri: path, method: .get, headers: [.accept: "text/html", .cookie: who.0])
                    return (response.status, String(buffer: response.body))
                }
                func post(_ path: String, _ fields: [String: String], as who: (String, String)) async throws -> (HTTPResponse.Status, String, String?) {
                    let body = (fields.merging(["csrf": who.1]) { a, _ in a }).map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.value)" }.joined(separator: "&")
                    let response = try await client.execute(
                        uri: path, method: .post, headers: [.accept: "text/html", .cookie: who.0, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
                    )
                    return (response.status, String(buffer: response.body), response.headers[.location])
                }

                let (status, page) = try await get("/cumplimiento", as: officer)
                #expect(status == .ok && page.contains("«Gloria Hernández García»") && page.contains("LPB LPB:17") && page.contains("action=\"/cumplimiento/coincidencias/\(hit.id)\""))
                #expect(page.contains("<td>Coincidencias en listas por revisar</td><td>1</td>"))
                let (_, auditorPage) = try await get("/cumplimiento", as: auditor)
                #expect(auditorPage.contains("«Gloria Hernández García»") && !auditorPage.contains("/cumplimiento/coincidencias/"))

                // Without a reason nothing changes; with it the client is suspended and a 24-hour case opens.
                let (refused, refusedPage, _) = try await post("/cumplimiento/coincidencias/\(hit.id)", ["decision": "confirmar", "nota": ""], as: officer)
                #expect(refused == .unprocessableContent && refusedPage.contains("Escriba por qué la coincidencia es o no es la persona listada"))
                let (confirmed, _, location) = try await post("/cumplimiento/coincidencias/\(hit.id)", ["decision": "confirmar", "nota": "Misma CURP que el oficio"], as: officer)
                #expect(confirmed == .seeOther && location == "/cumplimiento?aviso=confirmada-suspendido")
                let caseID = try #require(try await ComplianceCases(database: database, keys: TestKeys.live).list(lenderID: lender).first?.id)
                let (_, afterPage) = try await get("/cumplimiento?aviso=confirmada-suspendido", as: officer)
                #expect(afterPage.contains("se suspendieron las operaciones del cliente") && afterPage.contains("<td>Clientes con operaciones suspendidas</td><td>1</td>") && afterPage.contains(caseID))

                // The case: analysis, the committee's decision, the UIF folio.
                let (_, casePage) = try await get("/cumplimiento/casos/\(caseID)", as: officer)
                #expect(casePage.contains("Reporte de 24 horas \(caseID)") && casePage.contains("Pasar a análisis") && casePage.contains(gloria.id))
                #expect(try await post("/cumplimiento/casos/\(caseID)", ["paso": "dictaminar", "decision": "reportable", "nota": "x"], as: officer).0 == .conflict)
                #expect(try await post("/cumplimiento/casos/\(caseID)", ["paso": "analizar", "nota": "Se revisa el oficio"], as: officer).2 == "/cumplimiento/casos/\(caseID)?aviso=paso")
                #expect(try await post("/cumplimiento/casos/\(caseID)", ["paso": "dictaminar", "decision": "reportable", "nota": "Persona bloqueada: se reporta"], as: officer).0 == .seeOther)
                let (_, decidedPage) = try await get("/cumplimiento/casos/\(caseID)", as: officer)
                #expect(decidedPage.contains("Dictaminado</strong> (Reportable)") && decidedPage.contains("Folio o acuse de la UIF"))
                #expect(try await post("/cumplimiento/casos/\(caseID)", ["paso": "reportar", "folio": "UIF-24H-0001"], as: officer).0 == .seeOther)
                let (_, reportedPage) = try await get("/cumplimiento/casos/\(caseID)", as: auditor)
                #expect(reportedPage.contains("Reportado con folio UIF-24H-0001") && reportedPage.contains("Dictaminado → Reportado") && !reportedPage.contains("<form method=\"post\" action=\"/cumplimiento/casos"))
                #expect(try await get("/cumplimiento/casos/cs_nada", as: officer).0 == .notFound)
            }
        }
    }
}
