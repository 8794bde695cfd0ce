import Foundation

/// The population stability index between the scores a card was trained on and the scores it sees now:
/// `PSI = Σ (actual share − expected share) · ln(actual share / expected share)` over score bands. Read as: under 0.10
/// no significant change, 0.10–0.25 investigate, 0.25 or more a significant shift (optbinning's monitoring bands).
public enum PopulationStability {
    /// Bands are the expected scores' deciles (fewer when scores repeat); a band's share of zero is taken as 0.0001 so
    /// the logarithm stays finite.
    public static func index(expected: [Int], actual: [Int], bands: Int = 10) -> Double {
        guard !expected.isEmpty, !actual.isEmpty else { return 0 }
        let sorted = expected.sorted()
        var cuts: [Int] = []
        for band in 1..<bands {
            let cut = sorted[band * sorted.count / bands]
            if cut > sorted[0], cuts.last != cut { cuts.append(cut) }
        }
        func shares(_ scores: [Int]) -> [Double] {
            var counts = [Int](repeating: 0, count: cuts.count + 1)
            for score in scores {
                // The band: how many cuts the score reaches (bands are [cut, next cut)).
                var band = 0
                while band < cuts.count && score >= cuts[band] { band += 1 }
                counts[band] += 1
            }
            return counts.map { max(Double($0) / Double(scores.count), 0.0001) }
        }
        return zip(shares(actual), shares(expected)).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }

    /// How a person reads an index.
    public static func reading(_ psi: Double) -> String {
        psi < 0.10 ? "sin cambio significativo" : psi < 0.25 ? "investigar" : "cambio significativo"
    }
}
