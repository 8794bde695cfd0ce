import Foundation

/// Names reduced to the tokens screening compares: accents and case folded (Ñ → n), periods dropped (`Ma.` → `ma`),
/// apostrophes joined, every other mark a separator; the usual abbreviations of Mexican given names expanded (`ma` →
/// `maria`, `fco` → `francisco`, `gpe` → `guadalupe`, …); particles (`de`, `del`, `la`, `y`, …) and company legal forms
/// (`sa`, `cv`, `sapi`, `srl`, …) left out, since they say nothing about who a name is.
public enum NameText {
    public static let particles: Set<String> = ["de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "di", "du", "van", "von", "der", "den"]
    public static let legalForms: Set<String> = [
        "sa", "cv", "sapi", "sab", "srl", "rl", "sc", "ac", "spr", "sas", "ltd", "llc", "inc", "corp", "gmbh", "plc", "sociedad", "anonima",
    ]
    public static let abbreviations: [String: String] = [
        "ma": "maria", "fco": "francisco", "gpe": "guadalupe", "jse": "jose", "mgl": "miguel", "ant": "antonio", "fdo": "fernando",
        "ftes": "fuentes", "glez": "gonzalez", "hdez": "hernandez", "mtz": "martinez", "rdz": "rodriguez", "sra": "", "sr": "", "lic": "", "ing": "", "dr": "",
    ]

    /// The comparable tokens of a name, in order.
    public static func tokens(_ name: String) -> [String] {
        let folded = fold(name)
        var tokens: [String] = []
        var current: [UInt8] = []
        func flush() {
            guard !current.isEmpty else { return }
            var token = String(decoding: current, as: UTF8.self)
            current.removeAll(keepingCapacity: true)
            if let expanded = abbreviations[token] {
                if expanded.isEmpty { return }
                token = expanded
            }
            if particles.contains(token) || legalForms.contains(token) { return }
            tokens.append(token)
        }
        for byte in folded.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): current.append(byte)
            case UInt8(ascii: "."), UInt8(ascii: "'"), 0x60: continue
            default: flush()
            }
        }
        flush()
        return tokens
    }

    /// Lowercase ASCII where the name has accented Latin letters; other scripts stay as they are (and separate tokens).
    public static func fold(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 }) { return name.lowercased() }
        return name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
    }
}
