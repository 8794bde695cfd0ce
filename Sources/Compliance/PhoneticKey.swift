/// A Spanish-sounding key of a folded token, for finding candidates (never for scoring): b/v, s/z/c(e,i), k/c/qu,
/// j/g(e,i)/x, y/ll/i at the end are each one sound; a silent h and doubled letters are dropped; ch stays apart.
public enum PhoneticKey {
    public static func of(_ token: String) -> String {
        let letters = Array(token.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(letters.count)
        var index = 0
        func next(_ offset: Int) -> UInt8 { index + offset < letters.count ? letters[index + offset] : 0 }
        let (e, i) = (UInt8(ascii: "e"), UInt8(ascii: "i"))
        while index < letters.count {
            let letter = letters[index]
            var sound = letter
            var step = 1
            switch letter {
            case UInt8(ascii: "v"), UInt8(ascii: "w"): sound = UInt8(ascii: "b")
            case UInt8(ascii: "z"): sound = UInt8(ascii: "s")
            case UInt8(ascii: "c"):
                if next(1) == UInt8(ascii: "h") {
                    sound = UInt8(ascii: "C")
                    step = 2
                } else {
                    sound = next(1) == e || next(1) == i ? UInt8(ascii: "s") : UInt8(ascii: "k")
                }
            case UInt8(ascii: "q"):
                sound = UInt8(ascii: "k")
                if next(1) == UInt8(ascii: "u") { step = 2 }
            case UInt8(ascii: "g"):
                if next(1) == e || next(1) == i {
                    sound = UInt8(ascii: "j")
                } else if next(1) == UInt8(ascii: "u") && (next(2) == e || next(2) == i) {
                    step = 2
                }
            case UInt8(ascii: "x"): sound = UInt8(ascii: "j")
            case UInt8(ascii: "h"):
                index += 1
                continue
            case UInt8(ascii: "l"):
                if next(1) == UInt8(ascii: "l") {
                    sound = UInt8(ascii: "y")
                    step = 2
                }
            case UInt8(ascii: "y"):
                if index + 1 == letters.count { sound = i }
            case UInt8(ascii: "p"):
                if next(1) == UInt8(ascii: "h") {
                    sound = UInt8(ascii: "f")
                    step = 2
                }
            default: break
            }
            if out.last != sound { out.append(sound) }
            index += step
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key and, for keys of four or more sounds, every key with one sound left out; and the same for the letters
    /// themselves (marked `~`): two tokens one typo apart always share one of these (symmetric-deletion
    /// neighbourhoods), also when the typo changes two sounds (Marcela/Marcala: `marsela`/`markala`).
    public static func neighbourhood(_ token: String) -> [String] {
        var keys = deletions(of(token), marker: nil)
        if token.utf8.count >= 4 { keys += deletions(token, marker: UInt8(ascii: "~")) }
        return keys
    }

    static func deletions(_ key: String, marker: UInt8?) -> [String] {
        let bytes = (marker.map { [$0] } ?? []) + Array(key.utf8)
        let start = marker == nil ? 0 : 1
        guard bytes.count - start >= 4 else { return [String(decoding: bytes, as: UTF8.self)] }
        var keys = [String(decoding: bytes, as: UTF8.self)]
        for skip in start..<bytes.count {
            var variant = bytes
            variant.remove(at: skip)
            keys.append(String(decoding: variant, as: UTF8.self))
        }
        return keys
    }
}
