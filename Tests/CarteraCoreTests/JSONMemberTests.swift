import CarteraCore
import Foundation
import Testing

extension JSONMember {
    /// The value of top-level `key` in `text`, as written (what `members` finds, as text).
    static func text(of key: String, in text: String) -> Substring? {
        var copy = text
        guard let range = copy.withUTF8({ members($0)?[key] }) else { return nil }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return text[start..<utf8.index(start, offsetBy: range.count)]
    }
}

@Suite("JSON member text")
struct JSONMemberTests {
    @Test("The value of a top-level key, as written, past strings with braces, quotes and escapes and nested values")
    func finds() {
        let text = #"{"a":"x}{\"product\":1","b":[{"product":2},"]"],"c" : {"d":{"e":[1,2]}} , "product" :{"n":"}\\","v":[1,{"w":null}]},"z":-1.5e3}"#
        #expect(JSONMember.text(of: "product", in: text) == #"{"n":"}\\","v":[1,{"w":null}]}"#)
        #expect(JSONMember.text(of: "a", in: text) == #""x}{\"product\":1""#)
        #expect(JSONMember.text(of: "b", in: text) == #"[{"product":2},"]"]"#)
        #expect(JSONMember.text(of: "z", in: text) == "-1.5e3")
        #expect(JSONMember.text(of: "d", in: text) == nil)  // only top-level keys
        #expect(JSONMember.text(of: "k", in: #" {"k":true}"#) == "true")
        #expect(JSONMember.text(of: "ñ", in: #"{"é":"á","ñ":"ü"}"#) == #""ü""#)
    }

    @Test("JSON integers and plain strings")
    func values() {
        func read(_ text: String) -> (Int64?, String?, Bool) {
            var copy = text
            return copy.withUTF8 { ($0.isEmpty ? nil : JSONMember.integer($0, 0..<$0.count), JSONMember.plainString($0, 0..<$0.count), JSONMember.isNull($0, 0..<$0.count)) }
        }
        #expect(read("0").0 == 0 && read("-12").0 == -12 && read("123456789012345678").0 == 123456789012345678)
        for bad in ["007", "-01", "1.5", "1e3", "-", "1234567890123456789", "+1", "x"] { #expect(read(bad).0 == nil, "\(bad)") }
        #expect(read(#""2026-01-31""#).1 == "2026-01-31" && read(#""a\"b""#).1 == nil && read("null").2 && !read("nul").2)
    }

    @Test("Anything but a well-formed object gives nil")
    func refuses() {
        for text in ["", "[]", "{}", #"{"product""#, #"{"product":"#, #"{"product":{"a":1}"#, #"{"product":[1}}"#, #"{"product":1,"product":2}"#, #"{"product":1} x"#, #"{"x":"unterminated}"#, #"{"x":1 "product":2}"#, #""product""#, #"{"product" 1}"#] {
            #expect(JSONMember.text(of: "product", in: text) == nil, "\(text)")
        }
    }

    @Test("On random JSON objects the text found decodes to the member (oracle: JSONSerialization)")
    func property() throws {
        var random = SplitMix64(seed: 7)
        func value(_ depth: Int) -> Any {
            switch random.next() % (depth > 2 ? 3 : 5) {
            case 0: return Int(random.next() % 1000) - 500
            case 1: return ["a", "}", "{\"", "\\", "ñ ü", "]", ""][Int(random.next() % 7)] + String(random.next() % 10)
            case 2: return random.next() % 2 == 0
            case 3: return (0..<Int(random.next() % 4)).map { _ in value(depth + 1) }
            default: return Dictionary(uniqueKeysWithValues: (0..<Int(random.next() % 4)).map { "k\($0)\(["", "\"", "}"][Int(random.next() % 3)])" as String }.map { ($0, value(depth + 1)) })
            }
        }
        for _ in 0..<300 {
            var object: [String: Any] = [:]
            for index in 0..<Int(random.next() % 6) { object["m\(index)"] = value(0) }
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
            for key in object.keys {
                let found = try #require(JSONMember.text(of: key, in: text), "\(key) in \(text)")
                let parsed = try JSONSerialization.jsonObject(with: Data(found.utf8), options: .fragmentsAllowed)
                let expected = try JSONSerialization.data(withJSONObject: object[key]!, options: [.sortedKeys, .fragmentsAllowed])
                #expect(try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed]) == expected)
            }
            #expect(JSONMember.text(of: "absent", in: text) == nil)

            // Keyed: the same ranges whatever the order of the keys asked for; a key not asked for refuses the object.
            var copy = text
            let byName = try #require(copy.withUTF8 { JSONMember.members($0) })
            for names in [object.keys.sorted(), object.keys.sorted().reversed(), object.keys.sorted() + ["absent"]] {
                let keyed = try #require(copy.withUTF8 { JSONMember.members($0, keys: names.map { Array($0.utf8) }) }, "\(names) in \(text)")
                #expect(keyed == names.map { byName[$0] }, "\(names) in \(text)")
            }
            if let dropped = object.keys.sorted().first {
                #expect(copy.withUTF8 { JSONMember.members($0, keys: object.keys.sorted().dropFirst().map { Array($0.utf8) }) } == nil, "\(dropped) in \(text)")
            }
        }
    }

    @Test("Keyed members: duplicates and escaped keys refuse the object; absent keys are nil")
    func keyed() {
        func ranges(_ text: String, _ keys: [String]) -> [Range<Int>?]? {
            var copy = text
            return copy.withUTF8 { JSONMember.members($0, keys: keys.map { Array($0.utf8) }) }
        }
        #expect(ranges(#"{"b":1,"a":"x"}"#, ["a", "b", "c"]) == [11..<14, 5..<6, nil])
        #expect(ranges(#"{"a":1,"a":2}"#, ["a"]) == nil)
        #expect(ranges(#"{"a\u0062":1}"#, ["ab"]) == nil)
        #expect(ranges(#"{"ab":1}"#, ["a"]) == nil)
        #expect(ranges("{}", ["a"]) == [nil])
        #expect(ranges(#"{"a":1"#, ["a"]) == nil)
    }
}
