/// RFC 4180 rows from bytes: fields split by a one-byte delimiter, quoted fields with `""` for a quote and line breaks
/// inside, CRLF, LF or CR line ends, blanks around unquoted fields trimmed. Written here rather than taken from a
/// package: the CSV package tried first (yaslab/CSV.swift) read 11 µs per row, too slow for a million-line statement
/// (see BENCHMARKS.md); this reads well under one. Shared by every CSV input: bank statements, scorecard training data,
/// sanctions lists.
public struct CSVTokenizer {
    public let bytes: ArraySlice<UInt8>
    public let delimiter: UInt8
    public private(set) var position: Int
    /// The line the next row starts on (1-based).
    public private(set) var line: Int

    public init(_ text: String, delimiter: UInt8) {
        self.init(bytes: Array(text.utf8)[...], delimiter: delimiter, line: 1)
    }

    /// Rows of `bytes` (a slice of a file, starting at a row's start), whose first row is on `line`.
    public init(bytes: ArraySlice<UInt8>, delimiter: UInt8, line: Int) {
        self.bytes = bytes
        self.delimiter = delimiter
        position = bytes.startIndex
        self.line = line
    }

    /// A space, or a tab when tabs do not separate the fields (a tab-delimited row keeps its empty cells).
    @inline(__always) func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (byte == 0x09 && delimiter != 0x09) }

    /// A quoted field was never closed.
    public struct Unterminated: Error {
        public let line: Int
    }

    /// The next row; nil at the end.
    public mutating func next() throws(Unterminated) -> [String]? {
        guard position < bytes.endIndex else { return nil }
        var fields: [String] = []
        let quote = UInt8(ascii: "\"")
        while true {
            // One field.
            while position < bytes.endIndex, isBlank(bytes[position]) { position += 1 }
            if position < bytes.endIndex, bytes[position] == quote {
                let startLine = line
                position += 1
                var value: [UInt8] = []
                var closed = false
                while position < bytes.endIndex {
                    let byte = bytes[position]
                    if byte == quote {
                        if position + 1 < bytes.endIndex, bytes[position + 1] == quote {
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
                while position < bytes.endIndex, bytes[position] != delimiter, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                value.append(contentsOf: bytes[rest..<position].drop { isBlank($0) })
                fields.append(String(decoding: value, as: UTF8.self))
            } else {
                let start = position
                while position < bytes.endIndex, bytes[position] != delimiter, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                var end = position
                while end > start, isBlank(bytes[end - 1]) { end -= 1 }
                fields.append(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            // What ends the field: the delimiter (another field follows), a line end or the end of the data (the row ends).
            if position < bytes.endIndex, bytes[position] == delimiter {
                position += 1
                continue
            }
            if position < bytes.endIndex, bytes[position] == 0x0D { position += 1 }
            if position < bytes.endIndex, bytes[position] == 0x0A { position += 1 }
            line += 1
            return fields
        }
    }
}
