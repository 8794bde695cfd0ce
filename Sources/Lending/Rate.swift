import Foundation
import CarteraCore

/// A rate as an exact number of millionths (60 % = 600,000; 16 % = 160,000), so that applying it to money is exact
/// integer arithmetic rounded once.
public struct Rate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public static let scale: Int64 = 1_000_000

    public let millionths: Int64

    public init(millionths: Int64) { self.millionths = millionths }

    /// A percentage written like `60`, `58.5` or `16.0000` (up to four decimals), or nil.
    public init?(percent text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            parts[0].count <= 6, let whole = Int64(parts[0])
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...4).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
            fraction = value * [1000, 100, 10, 1][digits.count - 1]
        }
        millionths = whole * 10_000 + fraction
    }

    public static func percent(_ value: Int64) -> Rate { Rate(millionths: value * 10_000) }

    public static let zero = Rate(millionths: 0)

    /// `60.0000`-style text without trailing zeros beyond two decimals: `60`, `58.5`, `16`.
    public var percentText: String {
        let whole = millionths / 10_000
        var fraction = String(millionths % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }

    public var description: String { percentText + " %" }

    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.millionths < rhs.millionths }
}


