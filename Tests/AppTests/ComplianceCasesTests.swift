@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Compliance
import Foundation
import SQLKit
import Store
import Testing

@Suite("PLD cases: from detection to the UIF report, against the deadline")
struct ComplianceCasesTests {
    @Test("A case goes open → en análisis → dictaminado → reportado only in order, with the committee's note and the UIF folio, each step kept with its author and audited; its deadline warns and then is overdue", arguments: TestEngine.available)
    func workflow(engine: TestEngine) async throws {
        try await engine.withFreshDatabase { database in
            try await Migrator(database: database).migrate()
            let staff = try await TestStaff.seed(database)
            let lender = try await database.withConnection { db in try await db.raw("SELECT id FROM lenders").first(decodingColumn: "id", as: String.self) }!
            // Thursday 2026-11-26 12:00 in Mexico City (18:00 UTC).
            let start = Timestamp(text: "2026-11-26T18:00:00.000Z")!
            let clock = TestClock(start)
            let cases = ComplianceCases(database: database, keys: TestKeys.live, clock: { clock.read() })
            let officer = Administration.Actor(kind: .user, id: "us_oficial")

            func refusal(_ body: () async throws -> Void) async -> String? {
                do { try await body() } catch let error as APIError { return error.code } catch { return "other" }
                return nil
            }
            #expect(await refusal { _ = try await cases.report(kind: .internalConcern, clientID: nil, subject: nil, summary: "Cajero recibe efectivo fuera de sucursal", lenderID: lender, actor: officer) } == "subject_required")
            #expect(await refusal { _ = try await cases.report(kind: .unusual, clientID: "cl_nadie", subject: nil, summary: "Pagos en efectivo fraccionados", lenderID: lender, actor: officer) } == "client_not_found")
            let opened = try await cases.report(
                kind: .internalConcern, clientID: nil, subject: "Juan Cajero Pérez", summary: "Cajero recibe efectivo fuera de sucursal", lenderID: lender, actor: officer
            )
            #expect(opened.status == .open && opened.dueAt == start.adding(seconds: 60 * 86_400) && opened.urgency == .onTime && opened.subject == "Juan Cajero Pérez")

            // Out of order, without a note or without a folio: refused, nothing changes.
            #expect(await refusal { _ = try await cases.advance(opened.id, step: .decide(.reportable), note: "Dictamen", lenderID: lender, actor: officer) } == "case_not_in_analysis")
            #expect(await refusal { _ = try await cases.advance(opened.id, step: .report, note: nil, reference: "UIF-1", lenderID: lender, actor: officer) } == "case_step_invalid")
            clock.advance(seconds: 51 * 86_400)
            let analysing = try await cases.advance(opened.id, step: .startAnalysis, note: "Se piden videos de caja", lenderID: lender, actor: officer)
            #expect(analysing.status == .analysis && analysing.urgency == .dueSoon)
            #expect(await refusal { _ = try await cases.advance(opened.id, step: .decide(.reportable), note: "  ", lenderID: lender, actor: officer) } == "decision_note_required")
            clock.advance(seconds: 10 * 86_400)
            #expect(try await cases.list(lenderID: lender).first?.urgency == .overdue)

            // Decided on Tuesday 2027-01-26 (61 days later): filing is due three business days later, Friday 2027-01-29.
            let decided = try await cases.advance(opened.id, step: .decide(.reportable), note: "El comité lo considera reportable", lenderID: lender, actor: officer)
            #expect(decided.status == .decided && decided.decision == .reportable && decided.decisionNote == "El comité lo considera reportable")
            #expect(decided.urgency == .done && decided.filingDue == CalendarDate(text: "2027-01-29"))
            #expect(await refusal { _ = try await cases.advance(opened.id, step: .report, note: nil, reference: " ", lenderID: lender, actor: officer) } == "report_reference_required")
            let reported = try await cases.advance(opened.id, step: .report, note: nil, reference: "UIF-2027-000123", lenderID: lender, actor: officer)
            #expect(reported.status == .reported && reported.reportReference == "UIF-2027-000123" && reported.reportedBy == "us_oficial")

            let detail = try await cases.detail(opened.id, lenderID: lender)
            #expect(detail.events.map(\.toStatus) == [.open, .analysis, .decided, .reported])
            #expect(detail.events.map(\.note) == [nil, "Se piden videos de caja", "El comité lo considera reportable", "UIF-2027-000123"])
            #expect(detail.events.allSatisfy { $0.actor == "us_oficial" } && detail.events.map(\.sequence) == [1, 2, 3, 4])

            // A case decided not reportable is never filed.
            let other = try await cases.report(kind: .unusual, clientID: staff.borrowerClientID, subject: nil, summary: "Pago de un tercero sin relación", lenderID: lender, actor: officer)
            _ = try await cases.advance(other.id, step: .startAnalysis, note: nil, lenderID: lender, actor: officer)
            _ = try await cases.advance(other.id, step: .decide(.notReportable), note: "El tercero es su cónyuge, documentado", lenderID: lender, actor: officer)
            #expect(await refusal { _ = try await cases.advance(other.id, step: .report, note: nil, reference: "X", lenderID: lender, actor: officer) } == "case_not_reportable")
            #expect(try await cases.list(status: .decided, lenderID: lender).map(\.id) == [other.id])

            // Notes and summaries are stored encrypted; each step is in the audit log.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT summary, subject, decision_note FROM compliance_cases").all().map {
                    [try $0.decode(column: "summary", as: String.self), try $0.decode(column: "subject", as: String?.self) ?? "", try $0.decode(column: "decision_note", as: String?.self) ?? ""].joined()
                }
            }
            #expect(stored.allSatisfy { !$0.contains("Cajero") && !$0.contains("comité") && !$0.contains("cónyuge") })
            let steps = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE object_id = \(bind: opened.id) ORDER BY sequence").all(decodingColumn: "action", as: String.self)
            }
            #expect(steps == ["compliance.case_opened", "compliance.case_en_analisis", "compliance.case_dictaminado", "compliance.case_reportado"])
        }
    }
}
