import Analytics
import CarteraTestSupport
import Foundation
import Testing

@Suite("Logistic regression and model metrics")
struct LogisticRegressionTests {
    /// UCI German credit (`../shared/fixtures/credit/germancredit.csv`): five numeric columns, amount in thousands, bad = 1.
    static func german() throws -> (rows: [[Double]], labels: [Bool])? {
        guard SharedFixtures.enabled else { return nil }
        let text = try String(contentsOf: SharedFixtures.url("credit/germancredit.csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = SharedFixtures.csvFields(lines.removeFirst())
        let columns = ["duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income", "age_in_years", "number_of_existing_credits_at_this_bank"]
        let indices = columns.map { header.firstIndex(of: $0)! }
        let target = header.firstIndex(of: "creditability")!
        var rows: [[Double]] = [], labels: [Bool] = []
        for line in lines where !line.isEmpty {
            let fields = SharedFixtures.csvFields(line)
            var row = indices.map { Double(fields[$0])! }
            row[1] /= 1000
            rows.append(row)
            labels.append(fields[target] == "bad")
        }
        return (rows, labels)
    }

    @Test("On German credit the coefficients, AUC and KS equal statsmodels', scikit-learn's and SciPy's to 6 decimals; the L2 fit equals SciPy's minimiser of the penalised likelihood", .enabled(if: SharedFixtures.enabled))
    func germanCredit() throws {
        let (rows, labels) = try #require(try Self.german())
        #expect(rows.count == 1000 && labels.filter { $0 }.count == 300)
        let model = try LogisticRegression.fit(rows, labels: labels)
        #expect(model.converged)
        // statsmodels 0.14 Logit(...).fit(tol=1e-12).params
        let reference = [-1.3734680323391197, 0.026368099846572332, 0.07020282020980502, 0.2016045811131225, -0.01986401638021206, -0.14489414072948104]
        for (ours, theirs) in zip(model.coefficients, reference) { #expect(abs(ours - theirs) < 1e-6, "\(ours) vs \(theirs)") }
        let scores = rows.map(model.probability)
        // sklearn.metrics.roc_auc_score and scipy.stats.ks_2samp on the same probabilities.
        #expect(abs(try #require(ModelMetrics.auc(scores: scores, labels: labels)) - 0.6485238095238095) < 1e-6)
        #expect(abs(try #require(ModelMetrics.ks(scores: scores, labels: labels)) - 0.21761904761904763) < 1e-6)
        #expect(abs(try #require(ModelMetrics.gini(scores: scores, labels: labels)) - (2 * 0.6485238095238095 - 1)) < 1e-6)
        // scipy.optimize.minimize(BFGS) of −loglik + 5·Σβⱼ² (λ = 10).
        let ridge = try LogisticRegression.fit(rows, labels: labels, l2: 10)
        let ridgeReference = [-1.3691644958785234, 0.026811467468304272, 0.06723390889086864, 0.1906869283571397, -0.019866336627309567, -0.12356830197370089]
        for (ours, theirs) in zip(ridge.coefficients, ridgeReference) { #expect(abs(ours - theirs) < 1e-5, "\(ours) vs \(theirs)") }
    }

    @Test("AUC by hand: ties count half; perfect, reversed and random orders; KS of separated scores is 1")
    func metrics() throws {
        #expect(ModelMetrics.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
        #expect(ModelMetrics.auc(scores: [0.5, 0.5], labels: [true, false]) == 0.5)
        #expect(ModelMetrics.auc(scores: [1, 2, 3], labels: [false, true, true]) == 1)
        #expect(ModelMetrics.auc(scores: [3, 2, 1], labels: [false, true, true]) == 0)
        #expect(ModelMetrics.auc(scores: [1, 2], labels: [true, true]) == nil)
        #expect(ModelMetrics.ks(scores: [1, 2, 3, 4], labels: [false, false, true, true]) == 1)
        let split = ModelMetrics.holdout(count: 10_000, share: 0.3, seed: 7)
        #expect(split.training.count + split.holdout.count == 10_000 && abs(split.holdout.count - 3_000) < 150)
        #expect(ModelMetrics.holdout(count: 10_000, share: 0.3, seed: 7).holdout == split.holdout)
        #expect(Set(split.training).isDisjoint(with: split.holdout))
    }

    @Test("Refused inputs: empty, ragged, one class, not finite, perfectly collinear")
    func refused() {
        #expect(throws: LogisticRegression.FitError.empty) { try LogisticRegression.fit([], labels: []) }
        #expect(throws: LogisticRegression.FitError.ragged(row: 1)) { try LogisticRegression.fit([[1], [1, 2]], labels: [true, false]) }
        #expect(throws: LogisticRegression.FitError.oneClass) { try LogisticRegression.fit([[1], [2]], labels: [true, true]) }
        #expect(throws: LogisticRegression.FitError.notFinite(row: 0)) { try LogisticRegression.fit([[.nan], [2]], labels: [true, false]) }
        #expect(throws: LogisticRegression.FitError.singular) { try LogisticRegression.fit([[1, 2], [2, 4], [3, 6], [4, 8]], labels: [true, false, true, false]) }
    }
}
