@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Compliance
import Foundation
import SQLKit
import Store
import Testing

@Suite("Client risk grades: graded on every relevant change, with history and reasons")
struct RiskGradesTests {
    @Test("Onboarding grades the client; declared facts, the profile, a loan's product and a confirmed PEP match grade it again; each grade is kept with its factors", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            _ = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            _ = try await ProductCatalog(database: database).save(LoanFixture.product, lenderID: lender, actor: .commandLine)
            let grades = RiskGrades(database: database, keys: TestKeys.live)
            #expect(try await grades.settings().version == 0)
            let settings = try await grades.publish(
                matrix: .starting, catalogs: RiskCatalogs(states: ["VZ": "media"], activities: ["Comerciante": "medio"], products: ["MENSUAL": "personal"]), actor: .commandLine
            )
            #expect(settings.version == 1)
            _ = try await Watchlists(database: database).importList(
                [ListEntry(id: "PEP:1", list: "PEP", kind: .individual, name: "Gloria Hernández García")], list: "PEP", format: "csv", purpose: .pep,
                files: [Array("pep".utf8)], actor: .commandLine
            )
            let directory = ClientDirectory(database: database, keys: TestKeys.live)
            let gloria = try await database.transaction { db in try await directory.create(ClientSamples.individual, lenderID: lender, actor: .commandLine, on: db) }
            // Onboarding: the PEP match is pending (listas 30, floor alto); unknown tipo_cliente 20, canal 10, perfil 10, producto 15.
            var current = try #require(try await grades.history(clientID: gloria.id, lenderID: lender).first)
            #expect(current.grade == .high && current.points == 100 && current.occasion == "alta" && current.settingsVersion == 1)
            #expect(current.reasons.first == "Listas: coincidencia_en_revision (30 puntos)")

            let hit = try #require(try await directory.screening.hits(lenderID: lender).first)
            _ = try await directory.screening.review(hit.id, confirm: true, note: "Diputada local en funciones", lenderID: lender, actor: .commandLine)
            current = try #require(try await grades.history(clientID: gloria.id, lenderID: lender).first)
            // Confirmed PEP (20) instead of a pending match (30): 90, still alto by points.
            #expect(current.points == 90 && current.grade == .high && current.occasion == "coincidencia_en_listas")
            #expect(current.parts.first { $0.factor == "pep" }?.value == "nacional_o_familiar")

            let invalid = await #expect(throws: APIError.self) {
                _ = try await grades.declare(clientID: gloria.id, facts: ["canal": "paloma", "color": "rojo"], lenderID: lender, actor: .commandLine)
            }
            #expect(invalid?.details.map(\.field) == ["canal", "color"])
            current = try await grades.declare(clientID: gloria.id, facts: ["tipo_cliente": "pf_actividad_empresarial", "canal": "sucursal_biometria"], lenderID: lender, actor: .commandLine)
            #expect(current.points == 65 && current.occasion == "datos_declarados")
            _ = try await TransactionalProfiles(database: database, keys: TestKeys.live).declare(
                clientID: gloria.id, monthlyAmount: "5000.00", monthlyOperations: 2, instruments: ["transferencia"], sourceOfFunds: "Dieta como diputada", lenderID: lender, actor: .commandLine
            )
            current = try #require(try await grades.history(clientID: gloria.id, lenderID: lender).first)
            #expect(current.points == 55 && current.occasion == "perfil_transaccional")

            // A loan's product queues the client; the next run grades it: personal (5) instead of unknown (15) → 45, alto.
            _ = try await database.transaction { db in
                try await LoanBook(database: database).apply(.init(clientId: gloria.id, productCode: "MENSUAL", amount: "9000.00", term: 3), lenderID: lender, actor: .commandLine, on: db)
            }
            let run = try await grades.assessPending(all: false, actor: .commandLine)
            #expect(run.assessed == 1 && run.changed == 0)
            current = try #require(try await grades.history(clientID: gloria.id, lenderID: lender).first)
            #expect(current.points == 45 && current.grade == .high && current.occasion == "alerta")
            #expect(try await grades.assessPending(all: false, actor: .commandLine).assessed == 0)

            // Nothing changed: grading again stores nothing new. The history keeps every grade.
            let before = try await grades.history(clientID: gloria.id, lenderID: lender).count
            _ = try await database.transaction { db in try await grades.assess(clientID: gloria.id, occasion: .request, actor: .commandLine, on: db) }
            #expect(try await grades.history(clientID: gloria.id, lenderID: lender).count == before && before == 5)
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'client.risk_graded' AND object_id = \(bind: gloria.id)").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 1)  // alto from onboarding on: the grade itself never changed
        }
    }
}
