/// Reads the members of a JSON object without decoding the document: one pass over the top-level object's keys,
/// skipping each value (strings with their escapes, nested objects and arrays) and noting where it lies. Used where a
/// stored document is read in bulk and Foundation's decoder is most of the cost (loan terms in the end-of-day close);
/// anything that is not a well-formed top-level object gives nil, so a caller falls back to a full decode.
public enum JSONMember {
    /// The top-level members of the object in `bytes` (UTF-8): each key with the byte range of its value, as written.
    /// Nil when `bytes` is not one well-formed object, a key is written with escapes or appears twice.
    public static func members(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Range<Int>]? {
        var members: [String: Range<Int>] = [:]
        let complete = walk(bytes) { name, value in
            let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
            guard members[key] == nil else { return false }
            members[key] = value
            return true
        }
        return complete ? members : nil
    }

    /// The top-level members of the object in `bytes` when every key is one of `keys` (UTF-8): the byte range of each
    /// key's value at the key's position in `keys`, nil where the key is absent. Nil when `bytes` is not one well-formed
    /// object, or a key is not in `keys`, is written with escapes or appears twice. No strings are made and nothing is
    /// hashed; keys written in the order of `keys` are matched at the first comparison.
    public static func members(_ bytes: UnsafeBufferPointer<UInt8>, keys: [[UInt8]]) -> [Range<Int>?]? {
        var ranges = [Range<Int>?](repeating: nil, count: keys.count)
        var next = 0
        let complete = walk(bytes) { name, value in
            for offset in 0..<keys.count {
                let position = (next + offset) % keys.count
                let key = keys[position]
                guard key.count == name.count, key.withUnsafeBufferPointer({ $0.elementsEqual(bytes[name]) }) else { continue }
                guard ranges[position] == nil else { return false }
                ranges[position] = value
                next = position + 1
                return true
            }
            return false
        }
        return complete ? ranges : nil
    }

    /// Walks the top-level members of the object in `bytes`, giving `member` each key's byte range (inside its quotes)
    /// and its value's; false when `bytes` is not one well-formed object, a key has escapes, or `member` says stop.
    static func walk(_ bytes: UnsafeBufferPointer<UInt8>, member: (Range<Int>, Range<Int>) -> Bool) -> Bool {
        var index = skipSpace(bytes, 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index = skipSpace(bytes, index + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return skipSpace(bytes, index + 1) == bytes.count }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = skipString(bytes, index) else { return false }
            let name = (index + 1)..<(keyEnd - 1)
            guard !bytes[name].contains(UInt8(ascii: "\\")) else { return false }
            index = skipSpace(bytes, keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            let valueStart = skipSpace(bytes, index + 1)
            guard let valueEnd = skipValue(bytes, valueStart), member(name, valueStart..<valueEnd) else { return false }
            index = skipSpace(bytes, valueEnd)
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: "}") { return skipSpace(bytes, index + 1) == bytes.count }
            guard bytes[index] == UInt8(ascii: ",") else { return false }
            index = skipSpace(bytes, index + 1)
        }
        return false
    }

    /// The string at `range` (a JSON string value with its quotes) when it has no escapes; nil otherwise.
    public static func plainString(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"") else { return nil }
        let inner = UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// The JSON integer at `range` (an optional minus and digits without leading zeros, no fraction or exponent); nil
    /// otherwise or past 18 digits.
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        let first = range.lowerBound < range.upperBound && bytes[range.lowerBound] == UInt8(ascii: "-") ? range.lowerBound + 1 : range.lowerBound
        if range.upperBound - first > 1, bytes[first] == UInt8(ascii: "0") { return nil }
        return integer(bytes, from: range.lowerBound, to: range.upperBound)
    }

    /// The integer in `bytes[from..<to]` (an optional minus and 1–18 digits, leading zeros allowed); nil otherwise.
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int64? {
        var index = from
        let negative = index < to && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < to, to - index <= 18 else { return nil }
        var value: Int64 = 0
        while index < to {
            let digit = bytes[index] &- 0x30
            guard digit <= 9 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -value : value
    }

    /// Whether the value at `range` is `null`.
    public static func isNull(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "n") && bytes[range.lowerBound + 1] == UInt8(ascii: "u")
            && bytes[range.lowerBound + 2] == UInt8(ascii: "l") && bytes[range.lowerBound + 3] == UInt8(ascii: "l")
    }

    static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        return index
    }

    /// The index after the string starting at `start` (which holds its opening quote), or nil when it never closes.
    static func skipString(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index after the value starting at `start`, or nil when it is not a complete value.
    static func skipValue(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Brackets must match in kind: a stack of the open ones.
            var open: [UInt8] = []
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(bytes, index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    open.append(bytes[index])
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    let expected = bytes[index] == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
                    guard open.popLast() == expected else { return nil }
                    if open.isEmpty { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            // A number, true, false or null: up to the next delimiter.
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { break }
                index += 1
            }
            return index > start ? index : nil
        }
    }
}
