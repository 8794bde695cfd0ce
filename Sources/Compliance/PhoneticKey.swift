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

    /// The key and, for keys of four or more sounds, every key with one sound left out: two tokens one typo apart share
    /// one of these (a symmetric-deletion neighbourhood).
    public static func neighbourhood(_ token: String) -> [String] {
        let key = of(token)
        let bytes = Array(key.utf8)
        guard bytes.count >= 4 else { return [key] }
        var keys = [key]
        for skip in bytes.indices {
            var variant = bytes
            variant.remove(at: skip)
            keys.append(String(decoding: variant, as: UTF8.self))
        }
        return keys
    }
}
