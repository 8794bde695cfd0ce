import Foundation

/// An instant in UTC with millisecond precision, written as ISO-8601 text (`2026-11-26T20:04:41.123Z`).
///
/// Stored as text in both SQLite and PostgreSQL so that ordering and equality are the same on either engine.
/// Code that needs "now" receives a clock (`@Sendable () -> Timestamp`) instead of reading the system clock.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(_ date: Date) {
        self.millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The current instant from the system clock.
    public static var now: Timestamp { Timestamp(Date()) }

    /// As a Foundation date.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(millisecondsSince1970) / 1000) }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// ISO-8601 UTC text with milliseconds.
    public var text: String { date.formatted(Self.style) }

    /// Parses ISO-8601 text, with or without fractional seconds.
    public init?(text: String) {
        if let date = try? Self.style.parse(text) {
            self.init(date)
        } else if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) {
            self.init(date)
        } else {
            return nil
        }
    }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + seconds * 1000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Fecha y hora no válida: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
