import Foundation

/// Binary logistic regression fitted by Newton–Raphson (iteratively reweighted least squares), with an intercept and
/// an optional L2 penalty on the slopes: `P(y = 1 | x) = 1 / (1 + exp(−(β₀ + Σ βⱼ·xⱼ)))`.
///
/// Used for collection risk (a loan rolling to a worse bucket) and credit scoring. Features are `Double` — these are
/// model inputs, never money.
public struct LogisticRegression: Sendable, Hashable, Codable {
    /// β₀ first, then one slope per feature.
    public let coefficients: [Double]
    /// Newton iterations used.
    public let iterations: Int
    /// Whether the change in coefficients fell under the tolerance.
    public let converged: Bool

    public init(coefficients: [Double], iterations: Int = 0, converged: Bool = true) {
        self.coefficients = coefficients
        self.iterations = iterations
        self.converged = converged
    }

    public enum FitError: Error, Equatable, Sendable {
        case empty
        case ragged(row: Int)
        case oneClass
        case singular
        case notFinite(row: Int)
    }

    /// Fits `rows` (each the same number of features) to `labels`.
    /// - Parameters:
    ///   - l2: penalty λ on the slopes (not the intercept): the log-likelihood less λ/2·Σβⱼ².
    public static func fit(
        _ rows: [[Double]], labels: [Bool], l2: Double = 0, maxIterations: Int = 100, tolerance: Double = 1e-10
    ) throws(FitError) -> LogisticRegression {
        guard let width = rows.first?.count, rows.count == labels.count, !rows.isEmpty else { throw .empty }
        for (index, row) in rows.enumerated() {
            guard row.count == width else { throw .ragged(row: index) }
            guard row.allSatisfy(\.isFinite) else { throw .notFinite(row: index) }
        }
        guard labels.contains(true), labels.contains(false) else { throw .oneClass }
        let p = width + 1
        var beta = [Double](repeating: 0, count: p)
        // Start at the base rate: fewer iterations, and the same answer.
        let rate = Double(labels.filter { $0 }.count) / Double(labels.count)
        beta[0] = log(rate / (1 - rate))
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [Double](repeating: 0, count: p * p)
            for (row, label) in zip(rows, labels) {
                var eta = beta[0]
                for j in 0..<width { eta += beta[j + 1] * row[j] }
                let mu = Self.sigmoid(eta)
                let weight = max(mu * (1 - mu), 1e-12)
                let residual = (label ? 1 : 0) - mu
                gradient[0] += residual
                hessian[0] += weight
                for j in 0..<width {
                    let xj = row[j]
                    gradient[j + 1] += residual * xj
                    hessian[j + 1] += weight * xj
                    for k in 0...j { hessian[(j + 1) * p + k + 1] += weight * xj * row[k] }
                }
            }
            // Symmetric: fill the upper triangle and the intercept row.
            for j in 1..<p {
                hessian[j * p] = hessian[j]
                for k in (j + 1)..<max(j + 1, p) where k < p { hessian[j * p + k] = hessian[k * p + j] }
            }
            for j in 1..<p {
                gradient[j] -= l2 * beta[j]
                hessian[j * p + j] += l2
            }
            guard let step = Self.solve(hessian, gradient, size: p) else { throw .singular }
            var change = 0.0
            for j in 0..<p {
                beta[j] += step[j]
                change = max(change, abs(step[j]))
            }
            if change < tolerance {
                converged = true
                break
            }
        }
        return LogisticRegression(coefficients: beta, iterations: iterations, converged: converged)
    }

    /// The probability of `true` for one row.
    public func probability(_ row: [Double]) -> Double {
        var eta = coefficients[0]
        for (j, x) in row.enumerated() where j + 1 < coefficients.count { eta += coefficients[j + 1] * x }
        return Self.sigmoid(eta)
    }

    static func sigmoid(_ eta: Double) -> Double {
        eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta))
    }

    /// Solves `a·x = b` (a symmetric positive definite, `size`×`size`, row-major) by Cholesky; nil when it is not.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 1e-14 * max(1, abs(a[i * n + i])) else { return nil }
                    l[i * n + i] = sqrt(sum)
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * n + k] * y[k] }
            y[i] = sum / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<max(i + 1, n) where k < n { sum -= l[k * n + i] * x[k] }
            x[i] = sum / l[i * n + i]
        }
        return x
    }
}
