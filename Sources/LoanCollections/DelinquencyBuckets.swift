import CarteraCore
import Foundation

/// The ranges of days past due a lender reports its portfolio by (al corriente, 1–30, 31–60, …). Ordered, without gaps
/// or overlaps, starting at 0 days; the last range has no upper end.
public struct DelinquencyBuckets: Sendable, Hashable, Codable {
    /// One range: a stable code (kept in the daily snapshots), a label for people and its days, inclusive.
    public struct Bucket: Sendable, Hashable, Codable {
        public let code: String
        public let label: String
        public let minDays: Int
        /// nil for the last, open range.
        public let maxDays: Int?

        public init(code: String, label: String, minDays: Int, maxDays: Int?) {
            self.code = code
            self.label = label
            self.minDays = minDays
            self.maxDays = maxDays
        }

        public func contains(_ days: Int) -> Bool { days >= minDays && maxDays.map { days <= $0 } ?? true }
    }

    public let buckets: [Bucket]

    /// Ranges that do not make a valid set: each problem with its field.
    public struct Invalid: Error, Sendable, Equatable {
        public let issues: [FieldIssue]
    }

    /// Checks the ranges (see the type's description); the problems are in Spanish, one per range at fault.
    public init(_ buckets: [Bucket]) throws(Invalid) {
        var issues: [FieldIssue] = []
        if buckets.isEmpty { issues.append(FieldIssue(field: "buckets", code: "bucket_invalid", message: "Defina al menos un rango de días de atraso.")) }
        var expected = 0
        var codes: Set<String> = []
        for (index, bucket) in buckets.enumerated() {
            let field = "buckets[\(index)]"
            if bucket.code.isEmpty || bucket.code.count > 20 || !bucket.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "+") }) {
                issues.append(FieldIssue(field: field + ".code", code: "bucket_invalid", message: "El código del rango debe tener de 1 a 20 letras, dígitos, «_», «-» o «+»."))
            }
            if !codes.insert(bucket.code).inserted { issues.append(FieldIssue(field: field + ".code", code: "bucket_invalid", message: "El código «\(bucket.code)» está repetido.")) }
            if bucket.label.trimmingCharacters(in: .whitespaces).isEmpty || bucket.label.count > 40 {
                issues.append(FieldIssue(field: field + ".label", code: "bucket_invalid", message: "El nombre del rango debe tener de 1 a 40 caracteres."))
            }
            if bucket.minDays != expected {
                issues.append(FieldIssue(field: field + ".minDays", code: "bucket_invalid", message: "El rango debe empezar en \(expected) días (sin huecos ni traslapes)."))
            }
            if let max = bucket.maxDays {
                if max < bucket.minDays { issues.append(FieldIssue(field: field + ".maxDays", code: "bucket_invalid", message: "El rango termina antes de empezar.")) }
                if index == buckets.count - 1 {
                    issues.append(FieldIssue(field: field + ".maxDays", code: "bucket_invalid", message: "El último rango no tiene límite superior (deje el máximo vacío)."))
                }
                expected = max + 1
            } else if index < buckets.count - 1 {
                issues.append(FieldIssue(field: field + ".maxDays", code: "bucket_invalid", message: "Solo el último rango puede quedar sin límite superior."))
            }
        }
        guard issues.isEmpty else { throw Invalid(issues: issues) }
        self.buckets = buckets
    }

    /// Al corriente, 1–30, 31–60, 61–90, 91–120, más de 120 (issue 7's default).
    public static let standard = try! DelinquencyBuckets([
        Bucket(code: "0", label: "Al corriente", minDays: 0, maxDays: 0),
        Bucket(code: "1-30", label: "1 a 30 días", minDays: 1, maxDays: 30),
        Bucket(code: "31-60", label: "31 a 60 días", minDays: 31, maxDays: 60),
        Bucket(code: "61-90", label: "61 a 90 días", minDays: 61, maxDays: 90),
        Bucket(code: "91-120", label: "91 a 120 días", minDays: 91, maxDays: 120),
        Bucket(code: "120+", label: "Más de 120 días", minDays: 121, maxDays: nil),
    ])

    /// The range `days` past due falls in.
    public func bucket(for days: Int) -> Bucket {
        buckets.first { $0.contains(max(0, days)) } ?? buckets[buckets.count - 1]
    }

    /// The position of the range `days` past due falls in (0 = al corriente): higher is worse.
    public func index(for days: Int) -> Int {
        buckets.firstIndex { $0.contains(max(0, days)) } ?? buckets.count - 1
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(container.decode([Bucket].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(buckets)
    }
}
