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

    /// The integer at `path`.
    static func integer(_ object: [String: Any], _ path: String...) -> Int64? {
        (value(object, path) as? NSNumber)?.int64Value
    }

    private static func value(_ object: [String: Any], _ path: [String]) -> Any? {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }
}
