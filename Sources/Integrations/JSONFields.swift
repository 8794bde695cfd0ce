import CarteraCore
import Foundation

/// Reading fields out of a provider's JSON (as `JSONSerialization` gives it), for webhooks and API answers alike.
enum JSONFields {
    /// The string (or number, as text) at `path`; nil when absent or empty.
    static func text(_ object: [String: Any], _ path: String...) -> String? {
        switch value(object, path) {
        case let text as String: text.isEmpty ? nil : text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    /// Larger magnitudes are no amount, time or count a provider sends: a corrupt or hostile answer, read as absent (so
    /// sums of two read values, or seconds turned into milliseconds, can never overflow).
    static let largest: Int64 = 1_000_000_000_000_000

    /// The integer at `path` (within ±`largest`).
    static func integer(_ object: [String: Any], _ path: String...) -> Int64? {
        guard let number = value(object, path) as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.isFinite, abs(double) <= Double(largest) else { return nil }
        return number.int64Value
    }

    /// A decimal amount in pesos at `path` (`1250.5`, `"1250.50"`), as money: read from its decimal text, never through
    /// binary floating point arithmetic.
    static func pesos(_ object: [String: Any], _ path: String..., currency: Currency = .mxn) -> Money? {
        let text: String
        switch value(object, path) {
        case let string as String: text = string
        case let number as NSNumber: text = number.stringValue
        default: return nil
        }
        guard !text.contains("e"), !text.contains("E"), let money = try? Money(parsing: text, currency: currency), money.minorUnits.magnitude <= largest.magnitude else { return nil }
        return money
    }

    private static func value(_ object: [String: Any], _ path: [String]) -> Any? {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }
}
