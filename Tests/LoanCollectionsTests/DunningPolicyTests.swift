import CarteraCore
import CarteraTestSupport
import LoanCollections
import Testing

@Suite("Dunning policies")
struct DunningPolicyTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text: text)! }
    static let due = day("2026-11-15")
    static let policy = DunningPolicy.standard

    static func template(_ day: String, _ situation: DunningPolicy.Situation) -> String? {
        policy.step(on: Self.day(day), for: situation)?.step.template
    }

    @Test("The standard ladder: −3 days a reminder, on the day a notice, then +1, +7, +15, +30; only the latest step reached")
    func ladder() {
        let upcoming = DunningPolicy.Situation(oldestUnpaidDue: nil, nextDue: Self.due)
        #expect(Self.template("2026-11-11", upcoming) == nil)
        #expect(Self.template("2026-11-12", upcoming) == "recordatorio_previo")
        let late = DunningPolicy.Situation(oldestUnpaidDue: Self.due, nextDue: Self.day("2026-12-15"))
        #expect(Self.template("2026-11-15", late) == "aviso_vencimiento")
        #expect(Self.template("2026-11-16", late) == "atraso_temprano")
        #expect(Self.template("2026-11-21", late) == "atraso_temprano")
        #expect(Self.template("2026-11-22", late) == "atraso_7")
        // Found 20 days late: the +15 step only.
        #expect(Self.template("2026-12-05", late) == "atraso_15")
        // Once sent, not again; a lower step is never sent after a higher one.
        var sent = late
        sent.sent = ["15|email|atraso_15|2026-11-15"]
        #expect(Self.template("2026-12-05", sent) == nil)
        #expect(Self.template("2026-12-15", sent) == "atraso_30")
    }

    @Test("A hold or an open promise stops dunning; a broken promise brings the next step at once")
    func holdsAndPromises() {
        var situation = DunningPolicy.Situation(oldestUnpaidDue: Self.due, nextDue: nil, holds: [.dispute])
        #expect(Self.template("2026-11-22", situation) == nil)
        situation.holds = []
        situation.promise = .open
        #expect(Self.template("2026-11-22", situation) == nil)
        situation.promise = .kept
        #expect(Self.template("2026-11-22", situation) == "atraso_7")
        situation.promise = .broken
        situation.sent = ["7|whatsapp|atraso_7|2026-11-15"]
        #expect(Self.template("2026-11-24", situation) == "atraso_15")
    }

    @Test("A policy with no steps, a repeated step, a step too far or a bad code is refused at its field")
    func refused() {
        #expect(DunningPolicy(code: "", version: 0, steps: []).issues().map(\.field) == ["code", "version", "steps"])
        let step = DunningPolicy.Step(offsetDays: 1, channel: .sms, template: "x")
        #expect(DunningPolicy(code: "p", version: 1, steps: [step, step, .init(offsetDays: 900, channel: .sms, template: "y")]).issues().map(\.field)
            == ["steps[1]", "steps[2].offsetDays"])
        #expect(DunningPolicy.standard.issues().isEmpty)
    }

    @Test("Property: never a step during a hold or an open promise, never a step already sent, never a step after one sent for the same installment")
    func property() {
        var random = SplitMix64(seed: 7)
        func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        let states: [PromiseToPay.State?] = [nil, .open, .kept, .partiallyKept, .broken, .canceled]
        for _ in 0..<3_000 {
            let day = Self.day("2026-06-01").adding(days: Int64(next(200)))
            let late = next(3) == 0 ? nil : day.adding(days: -Int64(next(60)))
            let keys = Self.policy.steps.map(\.key)
            var situation = DunningPolicy.Situation(
                oldestUnpaidDue: late, nextDue: day.adding(days: Int64(1 + next(10))), holds: next(5) == 0 ? [.legal] : [], promise: states[next(states.count)],
                sent: Set((0..<next(3)).map { _ in keys[next(keys.count)] + "|" + (late ?? day).text })
            )
            guard let chosen = Self.policy.step(on: day, for: situation) else { continue }
            #expect(situation.holds.isEmpty && situation.promise != .open)
            #expect(!situation.sent.contains(chosen.step.key + "|" + chosen.dueDate.text))
            if let late, chosen.dueDate == late {
                #expect(!Self.policy.steps.contains { $0.offsetDays > chosen.step.offsetDays && situation.sent.contains($0.key + "|" + late.text) })
            }
            situation.sent.insert(chosen.step.key + "|" + chosen.dueDate.text)
            #expect(Self.policy.step(on: day, for: situation).map { $0.step.key + "|" + $0.dueDate.text } != chosen.step.key + "|" + chosen.dueDate.text)
        }
    }
}
