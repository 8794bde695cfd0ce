import Analytics
import CarteraCore
import Foundation
import LoanCollections
import Testing

@Suite("Behaviour segments and the roll-risk model")
struct RollRiskTests {
    static func snapshot(dpd: Int, late: Int = 0, due: Int64 = 0, status: String = "active", nonPerforming: Bool = false) -> LoanSnapshot {
        LoanSnapshot(
            date: CalendarDate(text: "2026-03-09")!, loanID: "ln_1", clientID: "c", productCode: "P", disbursedOn: CalendarDate(text: "2025-09-09")!, status: status,
            daysPastDue: dpd, bucket: DelinquencyBuckets.standard.bucket(for: dpd).code, nonPerforming: nonPerforming, restructured: false,
            principalOutstanding: 500_000, overduePrincipal: 0, overdueInterest: 0, overdueCharges: 0, amountDue: due, installmentsOverdue: dpd > 0 ? 1 : 0,
            lateInstallments: late, nextDueDate: nil
        )
    }

    @Test("Segments: crítico over 60 days or vencida, en riesgo 31–60, tardío recurrente with 3+ of the last 6 late, tardío ocasional with 1–2 or late today, puntual")
    func segments() {
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 61)) == .critical)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 10, nonPerforming: true)) == .critical)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 60)) == .atRisk)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 31)) == .atRisk)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 0, late: 3)) == .repeatedlyLate)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 30, late: 2)) == .occasionallyLate)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 1)) == .occasionallyLate)
        #expect(BehaviourSegment.of(Self.snapshot(dpd: 0)) == .punctual)
    }

    @Test("A roll is a worse bucket 30 days later, or a write-off; a payoff is not")
    func rolls() {
        let buckets = DelinquencyBuckets.standard
        #expect(RollRiskModel.rolled(from: Self.snapshot(dpd: 0), to: Self.snapshot(dpd: 1), buckets: buckets))
        #expect(!RollRiskModel.rolled(from: Self.snapshot(dpd: 5), to: Self.snapshot(dpd: 30), buckets: buckets))
        #expect(RollRiskModel.rolled(from: Self.snapshot(dpd: 5), to: Self.snapshot(dpd: 35), buckets: buckets))
        #expect(!RollRiskModel.rolled(from: Self.snapshot(dpd: 40), to: Self.snapshot(dpd: 0, status: "paid_off"), buckets: buckets))
        #expect(RollRiskModel.rolled(from: Self.snapshot(dpd: 100), to: Self.snapshot(dpd: 0, status: "written_off"), buckets: buckets))
    }

    @Test("Trained on examples where lateness predicts rolling, the holdout AUC is high, risk grows with days past due, and the reasons name the features that add risk")
    func training() throws {
        var random = SplitMix64(seed: 5)
        var examples: [(features: [Double], rolled: Bool)] = []
        for _ in 0..<3_000 {
            let dpd = Int(random.next() % 90)
            let late = Int(random.next() % 7)
            let eta: Double = -3 + Double(dpd) / 20 + Double(late) * 0.5
            let risk: Double = 1 / (1 + Foundation.exp(-eta))
            let snapshot = Self.snapshot(dpd: dpd, late: late, due: Int64(dpd) * 1_000)
            examples.append((RollRiskModel.features(snapshot), Double(random.next() % 10_000) / 10_000 < risk))
        }
        let model = try RollRiskModel.train(examples)
        #expect(model.trainingExamples + model.holdoutExamples == 3_000)
        #expect(try #require(model.holdoutAUC) > 0.75)
        #expect(model.probability(Self.snapshot(dpd: 60, late: 4, due: 60_000)) > model.probability(Self.snapshot(dpd: 5, late: 0, due: 5_000)))
        #expect(model.reasons(Self.snapshot(dpd: 60, late: 5, due: 60_000)).contains("días de atraso (÷30)"))
    }
}

@Suite("Collection KPIs: CEI and projected against actual cash flow")
struct CollectionKPIsTests {
    @Test("CEI goldens: 60.00 % for 300,000 collected of 500,000 collectable; half up; nothing collectable is no figure")
    func cei() {
        #expect(CollectionKPIs.ceiBasisPoints(beginning: 1_000_000, disbursed: 200_000, endingTotal: 900_000, endingCurrent: 700_000) == 6_000)
        #expect(CollectionKPIs.ceiBasisPoints(beginning: 3, disbursed: 0, endingTotal: 2, endingCurrent: 0) == 3_333)
        #expect(CollectionKPIs.ceiBasisPoints(beginning: 3, disbursed: 0, endingTotal: 1, endingCurrent: 0) == 6_667)
        #expect(CollectionKPIs.ceiBasisPoints(beginning: 100, disbursed: 0, endingTotal: 100, endingCurrent: 100) == nil)
    }

    @Test("Cash flow by week (Monday starts) and by month, empty periods included, both ends inclusive")
    func cashFlow() {
        let day = { (text: String) in CalendarDate(text: text)! }
        #expect(CollectionKPIs.Period.week.start(of: day("2026-03-10")) == day("2026-03-09"))
        #expect(CollectionKPIs.Period.week.start(of: day("2026-03-09")) == day("2026-03-09"))
        #expect(CollectionKPIs.Period.week.start(of: day("2026-03-08")) == day("2026-03-02"))
        let scheduled = [(day("2026-03-02"), Int64(1_000)), (day("2026-03-10"), 2_000), (day("2026-03-25"), 4_000), (day("2026-04-30"), 8_000)]
        let payments = [(day("2026-03-03"), Int64(1_000)), (day("2026-03-26"), 1_000), (day("2026-04-01"), 500)]
        let weeks = CollectionKPIs.cashFlow(scheduled: scheduled.map { (due: $0.0, amount: $0.1) }, payments: payments.map { (date: $0.0, amount: $0.1) }, from: day("2026-03-01"), to: day("2026-03-31"), by: .week)
        #expect(weeks.map(\.start.text) == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"])
        #expect(weeks.map(\.projected) == [0, 1_000, 2_000, 0, 4_000, 0])
        #expect(weeks.map(\.actual) == [0, 1_000, 0, 0, 1_000, 0])
        #expect(weeks[4].collectedBasisPoints == 2_500 && weeks[0].collectedBasisPoints == nil)
        let months = CollectionKPIs.cashFlow(scheduled: scheduled.map { (due: $0.0, amount: $0.1) }, payments: payments.map { (date: $0.0, amount: $0.1) }, from: day("2026-03-01"), to: day("2026-04-30"), by: .month)
        #expect(months.map { [$0.start.text, String($0.projected), String($0.actual)] } == [["2026-03-01", "7000", "2000"], ["2026-04-01", "8000", "500"]])
    }
}

@Suite("Vintage curves")
struct VintageCurvesTests {
    @Test("By count and by amount, half up; a cohort's curve stops where not all its loans were observed")
    func curves() {
        let points: [VintageCurves.Point] = [
            .init(loanID: "a", cohort: "2026-01", monthsOnBook: 1, disbursed: 1_000, late: false),
            .init(loanID: "b", cohort: "2026-01", monthsOnBook: 1, disbursed: 3_000, late: true),
            .init(loanID: "c", cohort: "2026-01", monthsOnBook: 1, disbursed: 2_000, late: false),
            .init(loanID: "a", cohort: "2026-01", monthsOnBook: 2, disbursed: 1_000, late: true),
            .init(loanID: "b", cohort: "2026-01", monthsOnBook: 2, disbursed: 3_000, late: true),
            .init(loanID: "c", cohort: "2026-01", monthsOnBook: 2, disbursed: 2_000, late: false),
            .init(loanID: "a", cohort: "2026-01", monthsOnBook: 3, disbursed: 1_000, late: true),
            .init(loanID: "d", cohort: "2026-02", monthsOnBook: 1, disbursed: 5_000, late: false),
            .init(loanID: "e", cohort: "2026-03", monthsOnBook: 0, disbursed: 7_000, late: false),
        ]
        let curves = VintageCurves(points: points)
        #expect(curves.cohorts.map(\.cohort) == ["2026-01", "2026-02", "2026-03"])
        #expect(curves.cohorts[2].loans == 1 && curves.cohorts[2].byCountBasisPoints.isEmpty)
        #expect(curves.cohorts[0].loans == 3 && curves.cohorts[0].disbursed == 6_000)
        #expect(curves.cohorts[0].byCountBasisPoints == [3_333, 6_667])
        #expect(curves.cohorts[0].byAmountBasisPoints == [5_000, 6_667])
        #expect(curves.cohorts[1].byCountBasisPoints == [0])
    }
}
