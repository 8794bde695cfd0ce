import Foundation

/// One class of a scorecard variable: a range of numbers, a set of categories, or the missing values; with the goods
/// and bads of the training rows that fell in it and its weight of evidence.
public struct ScorecardBin: Sendable, Codable, Hashable {
    /// Numeric: from `lower` (inclusive; nil: no lower end) up to `upper` (exclusive; nil: no upper end).
    public var lower: Double?
    public var upper: Double?
    /// Categorical: the categories (as written in the data).
    public var categories: [String]?
    /// The empty values.
    public var missing: Bool
    public var goods: Int
    public var bads: Int
    /// `ln(share of all bads / share of all goods)`: positive where bads concentrate.
    public var woe: Double

    public init(lower: Double? = nil, upper: Double? = nil, categories: [String]? = nil, missing: Bool = false, goods: Int, bads: Int, woe: Double = 0) {
        self.lower = lower
        self.upper = upper
        self.categories = categories
        self.missing = missing
        self.goods = goods
        self.bads = bads
        self.woe = woe
    }

    /// How a person reads the class: `[1000, 2500)`, `< 1000`, `≥ 2500`, the categories, or `sin dato`.
    public var label: String {
        if missing { return "sin dato" }
        if let categories { return categories.joined(separator: " | ") }
        switch (lower, upper) {
        case (nil, let upper?): return "< \(Self.number(upper))"
        case (let lower?, nil): return "≥ \(Self.number(lower))"
        case (let lower?, let upper?): return "[\(Self.number(lower)), \(Self.number(upper)))"
        case (nil, nil): return "todos"
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
