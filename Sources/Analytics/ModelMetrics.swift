/// How well scores separate two classes: AUC (the probability that a random positive scores above a random negative,
/// ties counting half, from ranks as in the Mann–Whitney U statistic), Gini = 2·AUC − 1, and KS = the largest gap
/// between the cumulative distributions of positives and negatives over the scores.
public enum ModelMetrics {
    /// Nil when either class is missing.
    public static func auc(scores: [Double], labels: [Bool]) -> Double? {
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0, scores.count == labels.count else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Average rank (1-based) of a run of ties.
            let rank = Double(start + end + 2) / 2
            for index in start...end where labels[order[index]] { rankSum += rank }
            start = end + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    public static func gini(scores: [Double], labels: [Bool]) -> Double? {
        auc(scores: scores, labels: labels).map { 2 * $0 - 1 }
    }

    /// Kolmogorov–Smirnov statistic; nil when either class is missing.
    public static func ks(scores: [Double], labels: [Bool]) -> Double? {
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0, scores.count == labels.count else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var seenPositive = 0.0, seenNegative = 0.0, best = 0.0
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            while index < order.count && scores[order[index]] == score {
                if labels[order[index]] { seenPositive += 1 } else { seenNegative += 1 }
                index += 1
            }
            best = max(best, abs(seenPositive / positives - seenNegative / negatives))
        }
        return best
    }

    /// Splits `count` rows into training and holdout deterministically: row i is held out when a SplitMix64 draw seeded
    /// with `seed` and i falls under `holdoutShare`.
    public static func holdout(count: Int, share holdoutShare: Double, seed: UInt64) -> (training: [Int], holdout: [Int]) {
        var training: [Int] = [], holdout: [Int] = []
        for index in 0..<count {
            var state = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            state = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            state = (state ^ (state >> 27)) &* 0x94D0_49BB_1331_11EB
            state ^= state >> 31
            if Double(state >> 11) / Double(1 << 53) < holdoutShare { holdout.append(index) } else { training.append(index) }
        }
        return (training, holdout)
    }
}
