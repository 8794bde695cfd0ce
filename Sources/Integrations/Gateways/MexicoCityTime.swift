import CarteraCore
import Foundation

/// Local times as Mexican providers write them: Mexico City's offset (UTC−6), `2026-12-01T23:59:59`, with or without
/// a zone after it (Openpay writes none; Mercado Pago writes `.000-06:00`).
public enum MexicoCityTime {
    public static let offsetSeconds: Int64 = -6 * 3600

    /// `2026-12-01T23:59:59`, Mexico City time.
    public static func text(_ instant: Timestamp) -> String {
        let local = instant.millisecondsSince1970 / 1000 + offsetSeconds
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let second = local - days * 86_400
        return CalendarDate(daysSince1970: days).text + String(format: "T%02lld:%02lld:%02lld", second / 3600, second / 60 % 60, second % 60)
    }

    /// Reads such a time; one carrying a UTC zone is read as it says, one without a zone (or with −06:00) as Mexico City's.
    public static func parse(_ text: String) -> Timestamp? {
        if let zoned = Timestamp(text: text) { return zoned }
        let parts = text.split(separator: "T")
        guard parts.count == 2, let date = CalendarDate(text: String(parts[0])) else { return nil }
        let time = parts[1].prefix(8).split(separator: ":").compactMap { Int64($0) }
        guard time.count == 3 else { return nil }
        let local = date.daysSince1970 * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
        return Timestamp(millisecondsSince1970: (local - offsetSeconds) * 1000)
    }
}
