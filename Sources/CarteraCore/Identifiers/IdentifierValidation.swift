/// The outcome of validating a CLABE, RFC or CURP.
///
/// `reasons` make the value invalid; `warnings` do not (for example an RFC whose check digit does not match, which
/// some real RFCs issued by SAT carry).
public struct IdentifierValidation: Sendable, Hashable {
    /// What was validated.
    public let kind: IdentifierKind
    /// The value after normalisation (upper case, without spaces or hyphens).
    public let normalized: String
    /// Why the value is invalid; empty when it is valid.
    public let reasons: [IdentifierIssue]
    /// Observations that do not make the value invalid.
    public let warnings: [IdentifierIssue]
    /// For a CLABE: the bank that owns the prefix, when known.
    public let bank: BankCatalog.Participant?
    /// Facts read from the value (person type, date, sex, state…), keyed in English.
    public let details: [String: String]

    public init(
        kind: IdentifierKind,
        normalized: String,
        reasons: [IdentifierIssue],
        warnings: [IdentifierIssue] = [],
        bank: BankCatalog.Participant? = nil,
        details: [String: String] = [:]
    ) {
        self.kind = kind
        self.normalized = normalized
        self.reasons = reasons
        self.warnings = warnings
        self.bank = bank
        self.details = details
    }

    /// `true` when there are no reasons against the value.
    public var isValid: Bool { reasons.isEmpty }
}

/// Normalises identifier input: upper case (Spanish rules, so `ñ` → `Ñ`), without spaces, hyphens or dots.
func normalizeIdentifier(_ text: String) -> String {
    String(text.uppercased().filter { !($0.isWhitespace || $0 == "-" || $0 == ".") })
}

/// Whether `yymmdd` (six ASCII digits) is a calendar date in at least one of the given centuries.
func isValidDate(yymmdd: Substring, centuries: [Int]) -> (valid: Bool, year: Int?) {
    let digits = yymmdd.compactMap(\.wholeNumberValue)
    guard digits.count == 6 else { return (false, nil) }
    let yy = digits[0] * 10 + digits[1]
    let month = digits[2] * 10 + digits[3]
    let day = digits[4] * 10 + digits[5]
    for century in centuries {
        let year = century + yy
        if GregorianCalendar.isValid(year: year, month: month, day: day) { return (true, year) }
    }
    return (false, nil)
}

/// Proleptic Gregorian calendar rules, without Foundation's `Calendar` (which depends on the process locale).
enum GregorianCalendar {
    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeap(year) ? 29 : 28
        default: 0
        }
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }
}
