/// RFC 4180 rows from bytes: fields split by a one-byte delimiter, quoted fields with `""` for a quote and line breaks
/// inside, CRLF, LF or CR line ends, blanks around unquoted fields trimmed. Written here rather than taken from a
/// package: the CSV package tried first (yaslab/CSV.swift) read 11 µs per row, too slow for a million-line statement
/// (see BENCHMARKS.md); this reads well under one.
struct CSVTokenizer {
    let bytes: [UInt8]
    let delimiter: UInt8
    private(set) var position = 0
    /// The line the next row starts on (1-based).
    private(set) var line = 1

    init(_ text: String, delimiter: UInt8) {
        bytes = Array(text.utf8)
        self.delimiter = delimiter
    }

    /// A space, or a tab when tabs do not separate the fields (a tab-delimited row keeps its empty cells).
    @inline(__always) func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (byte == 0x09 && delimiter != 0x09) }

    /// A quoted field was never closed.
    struct Unterminated: Error {
        let line: Int
    }

    /// The next row; nil at the end.
    mutating func next() throws(Unterminated) -> [String]? {
        guard position < bytes.count else { return nil }
        var fields: [String] = []
        let quote = UInt8(ascii: "\"")
        while true {
            // One field.
            while position < bytes.count, isBlank(bytes[position]) { position += 1 }
            if position < bytes.count, bytes[position] == quote {
                let startLine = line
                position += 1
                var value: [UInt8] = []
                var closed = false
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == quote {
                        if position + 1 < bytes.count, bytes[position + 1] == quote {
                            value.append(quote)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == 0x0A { line += 1 }
                    value.append(byte)
                    position += 1
                }
                guard closed else { throw Unterminated(line: startLine) }
                // Anything between the closing quote and the delimiter is kept (lenient, as spreadsheets write it).
                let rest = position
                while position < bytes.count, bytes[position] != delimiter, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                value.append(contentsOf: bytes[rest..<position].drop { isBlank($0) })
                fields.append(String(decoding: value, as: UTF8.self))
            } else {
                let start = position
                while position < bytes.count, bytes[position] != delimiter, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                var end = position
                while end > start, isBlank(bytes[end - 1]) { end -= 1 }
                fields.append(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            // What ends the field: the delimiter (another field follows), a line end or the end of the data (the row ends).
            if position < bytes.count, bytes[position] == delimiter {
                position += 1
                continue
            }
            if position < bytes.count, bytes[position] == 0x0D { position += 1 }
            if position < bytes.count, bytes[position] == 0x0A { position += 1 }
            line += 1
            return fields
        }
    }
}
