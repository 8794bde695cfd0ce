import CarteraCore
import Compliance
import Testing

@Suite("Case workflow: steps, deadlines, business days")
struct CaseWorkflowTests {
    @Test("Every step from every status: only open → analysis → decided → reported (reportable) is allowed")
    func transitions() {
        let steps: [(String, CaseWorkflow.Step)] = [("analizar", .startAnalysis), ("reportable", .decide(.reportable)), ("no_reportable", .decide(.notReportable)), ("reportar", .report)]
        var allowed: [String] = []
        for status in CaseWorkflow.Status.allCases {
            for decision in [nil, CaseWorkflow.Decision.reportable, .notReportable] {
                for (name, step) in steps {
                    if case .success(let next) = CaseWorkflow.next(from: status, decision: decision, step: step) {
                        allowed.append("\(status.rawValue)/\(decision?.rawValue ?? "-")/\(name)→\(next.rawValue)")
                    }
                }
            }
        }
        // Decisions are only recorded on analysed cases; only a reportable decided case is filed.
        #expect(allowed.filter { $0.hasPrefix("abierto/-") } == ["abierto/-/analizar→en_analisis"])
        #expect(allowed.filter { $0.hasPrefix("en_analisis/-") } == ["en_analisis/-/reportable→dictaminado", "en_analisis/-/no_reportable→dictaminado"])
        #expect(allowed.filter { $0.hasPrefix("dictaminado/") } == ["dictaminado/reportable/reportar→reportado"])
        #expect(!allowed.contains { $0.hasPrefix("reportado/") })
    }

    @Test("Three business days after a decision skip weekends and holidays; deadlines are 60 days or 24 hours")
    func deadlines() {
        func day(_ text: String) -> CalendarDate { CalendarDate(text: text)! }
        #expect(CaseWorkflow.filingDue(decidedOn: day("2026-11-26")) == day("2026-12-01"))  // Thursday → Tuesday
        #expect(CaseWorkflow.filingDue(decidedOn: day("2026-11-28")) == day("2026-12-02"))  // Saturday → Wednesday
        #expect(CaseWorkflow.filingDue(decidedOn: day("2026-12-23"), holidays: [day("2026-12-25")]) == day("2026-12-29"))
        #expect(!CaseWorkflow.isBusinessDay(day("2026-11-29"), holidays: []) && CaseWorkflow.isBusinessDay(day("2026-11-30"), holidays: []))
        let detected = Timestamp(text: "2026-11-26T18:00:00.000Z")!
        #expect(CaseWorkflow.due(kind: .unusual, detectedAt: detected) == Timestamp(text: "2027-01-25T18:00:00.000Z")!)
        #expect(CaseWorkflow.due(kind: .twentyFourHours, detectedAt: detected) == Timestamp(text: "2026-11-27T18:00:00.000Z")!)
    }

    @Test("Urgency: just before and just after the warning and the deadline; done once decided (or reported, for 24 hours)")
    func urgency() {
        let due = Timestamp(text: "2027-01-25T18:00:00.000Z")!
        func at(_ seconds: Int64) -> Timestamp { due.adding(seconds: seconds) }
        #expect(CaseWorkflow.urgency(kind: .unusual, status: .open, due: due, now: at(-10 * 86_400 - 1)) == .onTime)
        #expect(CaseWorkflow.urgency(kind: .unusual, status: .open, due: due, now: at(-10 * 86_400)) == .dueSoon)
        #expect(CaseWorkflow.urgency(kind: .unusual, status: .analysis, due: due, now: at(0)) == .dueSoon)
        #expect(CaseWorkflow.urgency(kind: .unusual, status: .analysis, due: due, now: at(1)) == .overdue)
        #expect(CaseWorkflow.urgency(kind: .unusual, status: .decided, due: due, now: at(1)) == .done)
        #expect(CaseWorkflow.urgency(kind: .twentyFourHours, status: .decided, due: due, now: at(-6 * 3600)) == .dueSoon)
        #expect(CaseWorkflow.urgency(kind: .twentyFourHours, status: .decided, due: due, now: at(-6 * 3600 - 1)) == .onTime)
        #expect(CaseWorkflow.urgency(kind: .twentyFourHours, status: .reported, due: due, now: at(1)) == .done)
        #expect(CaseWorkflow.urgency(kind: .twentyFourHours, status: .decided, decision: .notReportable, due: due, now: at(1)) == .done)
        #expect(CaseWorkflow.urgency(kind: .twentyFourHours, status: .decided, decision: .reportable, due: due, now: at(1)) == .overdue)
    }

    @Test("Default list purposes by name")
    func purposes() {
        #expect(ListPurpose.default(forList: "LPB") == .blocking && ListPurpose.default(forList: "UN") == .blocking && ListPurpose.default(forList: "ONU-CSNU") == .blocking)
        #expect(ListPurpose.default(forList: "OFAC-SDN") == .sanctions && ListPurpose.default(forList: "PEP-MX") == .pep && ListPurpose.default(forList: "PROPIA") == .ownList)
        #expect(ListPurpose.blocking.suspendsOperations && ListPurpose.sanctions.holdsWhilePending && !ListPurpose.pep.suspendsOperations && !ListPurpose.ownList.holdsWhilePending)
    }
}
