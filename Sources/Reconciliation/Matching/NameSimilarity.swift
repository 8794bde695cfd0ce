import Foundation

/// How alike two people's names are (0–100), as payers write them: accents, case and punctuation ignored, words in any
/// order, one set of words inside the other counting as alike (token-set ratio over an indel edit distance).
public enum NameSimilarity {
    /// Words too common in names to identify anyone.
    static let particles: Set<String> = ["DE", "DEL", "LA", "LAS", "LOS", "Y", "SA", "CV", "SAPI", "SC", "S", "A", "C", "V"]

    /// The name's words: folded, upper case, without particles.
    public static func tokens(_ name: String) -> [String] {
        // Plain ASCII (how banks write names) needs no Unicode folding: upper-cased byte by byte.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            var words: [String] = []
            var word: [UInt8] = []
            for byte in name.utf8 {
                let upper = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                if (upper >= 0x41 && upper <= 0x5A) || (upper >= 0x30 && upper <= 0x39) {
                    word.append(upper)
                } else if !word.isEmpty {
                    words.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { words.append(String(decoding: word, as: UTF8.self)) }
            return words.filter { !particles.contains($0) }
        }
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        let words = folded.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        return words.filter { !particles.contains($0) }
    }

    public static func score(_ a: String, _ b: String) -> Int { score(tokens: tokens(a), tokens(b)) }

    static func score(tokens a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let setA = Set(a)
        let setB = Set(b)
        let common = setA.intersection(setB).sorted().joined(separator: " ")
        let onlyA = setA.subtracting(setB).sorted().joined(separator: " ")
        let onlyB = setB.subtracting(setA).sorted().joined(separator: " ")
        let withA = [common, onlyA].filter { !$0.isEmpty }.joined(separator: " ")
        let withB = [common, onlyB].filter { !$0.isEmpty }.joined(separator: " ")
        var best = ratio(withA, withB)
        if !common.isEmpty { best = max(best, ratio(common, withA), ratio(common, withB)) }
        return best
    }

    /// 100 × (1 − indel distance / total length).
    static func ratio(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard !x.isEmpty || !y.isEmpty else { return 100 }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...max(1, x.count) where !x.isEmpty {
            current[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 2)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        let distance = x.isEmpty ? y.count : (y.isEmpty ? x.count : previous[y.count])
        return Int((100 * (1 - Double(distance) / Double(x.count + y.count))).rounded())
    }
}
