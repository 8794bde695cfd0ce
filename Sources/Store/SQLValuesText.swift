import CarteraCore

/// The text of a bulk insert's rows, written byte by byte: literals for integers, dates, flags and `SQLTextLiteral`
/// texts, each followed by `, ` unless it ends the row. Building it from many small strings cost more than the rows.
public struct SQLValuesText {
    private var bytes: [UInt8] = []

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Raw SQL punctuation (`(`, `)`, `, `).
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A text that qualifies as an `SQLTextLiteral`, quoted (check with `SQLTextLiteral.qualifies` first).
    public mutating func appendQuoted(_ text: String) {
        precondition(SQLTextLiteral.qualifies(text), "not a safe literal")
        bytes.append(UInt8(ascii: "'"))
        bytes.append(contentsOf: text.utf8)
        bytes.append(UInt8(ascii: "'"))
    }

    /// An integer (NULL when nil).
    public mutating func append(_ value: Int64?, last: Bool = false) {
        if let value {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            var magnitude = value.magnitude
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
            }
        } else {
            append("NULL")
        }
        if !last { append(", ") }
    }

    /// A date as `'YYYY-MM-DD'` (NULL when nil).
    public mutating func append(_ date: CalendarDate?, last: Bool = false) {
        if let date {
            bytes.append(UInt8(ascii: "'"))
            bytes.append(contentsOf: date.text.utf8)
            bytes.append(UInt8(ascii: "'"))
        } else {
            append("NULL")
        }
        if !last { append(", ") }
    }

    /// TRUE or FALSE.
    public mutating func append(_ flag: Bool, last: Bool = false) {
        if flag { append("TRUE") } else { append("FALSE") }
        if !last { append(", ") }
    }

    /// The text so far, leaving it empty.
    public mutating func take() -> String {
        defer { bytes.removeAll(keepingCapacity: true) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
