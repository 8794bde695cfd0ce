import Foundation

/// Trains a scorecard on a lender's own history: a fixed split into training and holdout rows, coarse classing and
/// weights of evidence on the training rows, variables kept by information value, a logistic regression on their
/// weights of evidence (variables whose slope comes out negative — against their own evidence, a sign of collinearity —
/// are dropped one at a time, the most negative first, and the regression fitted again), points, and the card's
/// separation and stability measured on the holdout.
public enum ScorecardTraining {
    public struct Options: Sendable, Hashable, Codable {
        public var holdoutShare = 0.3
        public var seed: UInt64 = 1
        /// Variables under this information value are left out (0.02: "useless" in the usual reading).
        public var minimumIV = 0.02
        public var binning = VariableBinning.Options()
        public var scaling = Scorecard.Scaling()

        public init(holdoutShare: Double = 0.3, seed: UInt64 = 1, minimumIV: Double = 0.02, binning: VariableBinning.Options = .init(), scaling: Scorecard.Scaling = .init()) {
            self.holdoutShare = holdoutShare
            self.seed = seed
            self.minimumIV = minimumIV
            self.binning = binning
            self.scaling = scaling
        }
    }

    /// How well a set of rows is separated: AUC, Gini and KS of the model's probability of bad against the outcomes.
    public struct Separation: Sendable, Hashable, Codable {
        public let rows: Int
        public let bads: Int
        public let auc: Double
        public let gini: Double
        public let ks: Double
    }

    /// A variable as training saw it.
    public struct VariableSummary: Sendable, Hashable, Codable {
        public let name: String
        public let informationValue: Double
        /// Its classes on the training rows (those of the card for a selected variable).
        public let classes: [ScorecardBin]
        /// In the card; else why not.
        public let selected: Bool
        public let note: String?
    }

    public struct Report: Sendable, Hashable, Codable {
        public let card: Scorecard
        public let variables: [VariableSummary]
        public let training: Separation
        public let holdout: Separation
        /// Population stability of the holdout's scores against the training scores (score bands: training deciles).
        public let psi: Double
        /// The training scores' bands and shares: applicants scored later are compared with them (PSI monitoring).
        public let reference: PopulationStability.Reference
        public let options: Options
    }

    public static func train(_ data: ScoringData, options: Options = Options()) throws(ScorecardError) -> Report {
        let totalBads = data.bad.filter { $0 }.count
        guard totalBads > 0, totalBads < data.bad.count else { throw .oneClass(bads: totalBads, rows: data.bad.count) }
        let split = ModelMetrics.holdout(count: data.rows.count, share: options.holdoutShare, seed: options.seed)
        let trainingBad = split.training.map { data.bad[$0] }
        let holdoutBad = split.holdout.map { data.bad[$0] }
        for labels in [trainingBad, holdoutBad] where !labels.contains(true) || !labels.contains(false) {
            throw .oneClass(bads: labels.filter { $0 }.count, rows: labels.count)
        }
        var binned: [VariableBinning] = []
        for (column, name) in data.variables.enumerated() {
            binned.append(VariableBinning.fit(name: name, values: split.training.map { data.rows[$0][column] }, bad: trainingBad, options: options.binning))
        }
        var notes: [String: String] = [:]
        var chosen = binned.indices.filter { binned[$0].informationValue >= options.minimumIV && binned[$0].bins.count > 1 }
        for index in binned.indices where !chosen.contains(index) {
            notes[binned[index].name] = String(format: "valor de información %.4f bajo el mínimo %.2f", binned[index].informationValue, options.minimumIV)
        }
        guard !chosen.isEmpty else { throw .noUsefulVariable(minimumIV: options.minimumIV) }
        var model: LogisticRegression
        while true {
            let woe = split.training.map { row in chosen.map { column in binned[column].bin(for: data.rows[row][column]).map { binned[column].bins[$0].woe } ?? 0 } }
            do { model = try LogisticRegression.fit(woe, labels: trainingBad) } catch { throw .fitFailed }
            let slopes = model.coefficients.dropFirst()
            guard let worst = slopes.indices.min(by: { slopes[$0] < slopes[$1] }), slopes[worst] <= 0, chosen.count > 1 else { break }
            let dropped = chosen.remove(at: worst - 1)
            notes[binned[dropped].name] = String(format: "pendiente %.4f contraria a su evidencia (colineal con otras); se quitó", slopes[worst])
        }
        let card = Scorecard(variables: chosen.map { binned[$0] }, coefficients: model.coefficients, scaling: options.scaling)
        let columns = chosen
        func probabilities(_ rows: [Int]) -> [Double] {
            rows.map { model.probability(card.woeRow(data.rows[$0], columns: columns)) }
        }
        func scores(_ rows: [Int]) -> [Int] {
            rows.map { row in
                var total = card.basePoints
                for (index, column) in columns.enumerated() {
                    if let bin = card.variables[index].bin(for: data.rows[row][column]) { total += card.points[index][bin] }
                }
                return total
            }
        }
        func separation(_ rows: [Int], _ labels: [Bool]) -> Separation {
            let p = probabilities(rows)
            let auc = ModelMetrics.auc(scores: p, labels: labels) ?? 0.5
            return Separation(rows: rows.count, bads: labels.filter { $0 }.count, auc: auc, gini: 2 * auc - 1, ks: ModelMetrics.ks(scores: p, labels: labels) ?? 0)
        }
        let summaries = binned.map { variable in
            VariableSummary(
                name: variable.name, informationValue: variable.informationValue, classes: variable.bins,
                selected: card.variables.contains { $0.name == variable.name }, note: notes[variable.name]
            )
        }
        return Report(
            card: card, variables: summaries, training: separation(split.training, trainingBad), holdout: separation(split.holdout, holdoutBad),
            psi: PopulationStability.index(expected: scores(split.training), actual: scores(split.holdout)),
            reference: PopulationStability.Reference(scores: scores(split.training)), options: options
        )
    }
}
