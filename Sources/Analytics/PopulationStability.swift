import Foundation

/// The population stability index between the scores a card was trained on and the scores it sees now:
/// `PSI = Σ (actual share − expected share) · ln(actual share / expected share)` over score bands. Read as: under 0.10
/// no significant change, 0.10–0.25 investigate, 0.25 or more a significant shift (optbinning's monitoring bands).
public enum PopulationStability {
    /// The score bands of a reference population and each band's share: what later scores are compared with.
    public struct Reference: Sendable, Codable, Hashable {
        /// Band edges: band `i` is `[cuts[i-1], cuts[i])`; the first band is below `cuts[0]`, the last from the last cut.
        public let cuts: [Int]
        /// Each band's share of the reference scores (`cuts.count + 1` of them).
        public let shares: [Double]

        /// The expected scores' deciles (fewer when scores repeat) and their shares.
        public init(scores: [Int], bands: Int = 10) {
            let sorted = scores.sorted()
            var cuts: [Int] = []
            if !sorted.isEmpty {
                for band in 1..<bands {
                    let cut = sorted[band * sorted.count / bands]
                    if cut > sorted[0], cuts.last != cut { cuts.append(cut) }
                }
            }
            self.cuts = cuts
            shares = Self.shares(scores, cuts: cuts)
        }

        /// The share of `scores` in each band; a share of zero is taken as 0.0001 so the logarithm stays finite.
        static func shares(_ scores: [Int], cuts: [Int]) -> [Double] {
            var counts = [Int](repeating: 0, count: cuts.count + 1)
            for score in scores {
                // The band: how many cuts the score reaches (bands are [cut, next cut)).
                var band = 0
                while band < cuts.count && score >= cuts[band] { band += 1 }
                counts[band] += 1
            }
            return counts.map { max(Double($0) / Double(max(scores.count, 1)), 0.0001) }
        }

        /// The index of `actual` scores against this reference; 0 without scores.
        public func index(actual: [Int]) -> Double {
            guard !actual.isEmpty, !shares.isEmpty else { return 0 }
            return zip(Self.shares(actual, cuts: cuts), shares).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
        }
    }

    /// Bands are the expected scores' deciles (fewer when scores repeat); a band's share of zero is taken as 0.0001 so
    /// the logarithm stays finite.
    public static func index(expected: [Int], actual: [Int], bands: Int = 10) -> Double {
        guard !expected.isEmpty, !actual.isEmpty else { return 0 }
        return Reference(scores: expected, bands: bands).index(actual: actual)
    }

    /// How a person reads an index.
    public static func reading(_ psi: Double) -> String {
        psi < 0.10 ? "sin cambio significativo" : psi < 0.25 ? "investigar" : "cambio significativo"
    }
}
