import CarteraCore

/// When a recurring card charge (domiciliación) that failed is tried again: on these days after the installment's
/// due date, once each. The default, `2, 5, 8`, gives three retries over eight days.
public struct RetrySchedule: Sendable, Hashable, Codable {
    /// Days after the due date, strictly increasing, each 1–60.
    public let days: [Int]

    public static let standard = RetrySchedule(unchecked: [2, 5, 8])

    /// At most this many retries per due date (card networks frown on more).
    public static let maximumRetries = 10

    init(unchecked days: [Int]) { self.days = days }

    /// Reads `"2, 5, 8"` (days after the due date). Throws a message in Spanish for staff.
    public init(parsing text: String) throws(FieldIssue) {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        guard !parts.isEmpty, parts.count <= Self.maximumRetries else {
            throw FieldIssue(field: "retryDays", code: "retry_days_count", message: "Indique de 1 a \(Self.maximumRetries) reintentos, como días después del vencimiento (por ejemplo 2, 5, 8).")
        }
        var days: [Int] = []
        for part in parts {
            guard let day = Int(part), (1...60).contains(day), day > (days.last ?? 0) else {
                throw FieldIssue(field: "retryDays", code: "retry_days_invalid", message: "Los días de reintento van de 1 a 60, en orden creciente y sin repetir (por ejemplo 2, 5, 8).")
            }
            days.append(day)
        }
        self.days = days
    }

    /// How it is written and stored: `"2,5,8"`.
    public var text: String { days.map(String.init).joined(separator: ",") }

    /// The date of the next try after `failures` failed tries of the charge due on `dueDate` (the first try is on the
    /// due date itself), `today` being the day of the last one: its planned day, or tomorrow when that day has passed
    /// (the server was down) — never two tries on one day; nil when no retry is left.
    public func nextAttempt(dueDate: CalendarDate, failures: Int, today: CalendarDate) -> CalendarDate? {
        guard failures >= 1, failures <= days.count else { return nil }
        let planned = dueDate.adding(days: Int64(days[failures - 1]))
        return planned > today ? planned : today.adding(days: 1)
    }
}
