/// The GSM 03.38 7-bit alphabet SMS are written in (Unicode's GSM0338.TXT mapping): a message whose every character is
/// in it travels as GSM-7, 160 characters in one SMS or 153 per part of a longer one; a single character outside it
/// (á, í, ó, ú, an emoji…) sends the whole message as UCS-2, 70 characters or 67 per part, at two to three times the cost.
public enum GSM7 {
    /// The basic table: one septet each.
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    /// The extension table: an escape and the character, two septets each.
    static let extended: Set<Character> = Set("\u{0C}^{}\\[~]|€")

    /// Whether `text` can be sent as GSM-7.
    public static func isEncodable(_ text: String) -> Bool {
        text.allSatisfy { basic.contains($0) || extended.contains($0) }
    }

    /// The characters of `text` outside the GSM-7 alphabet, in order of first appearance.
    public static func foreignCharacters(_ text: String) -> [Character] {
        var seen: [Character] = []
        for character in text where !basic.contains(character) && !extended.contains(character) && !seen.contains(character) {
            seen.append(character)
        }
        return seen
    }

    /// Septets `text` takes in GSM-7 (extension characters count two); nil when it is not encodable.
    public static func septets(_ text: String) -> Int? {
        var count = 0
        for character in text {
            if basic.contains(character) { count += 1 } else if extended.contains(character) { count += 2 } else { return nil }
        }
        return count
    }

    /// How many SMS `text` is sent as: GSM-7 160 / 153 per part, otherwise UCS-2 70 / 67 per part (UTF-16 units).
    public static func segments(_ text: String) -> Int {
        if let septets = septets(text) {
            return septets <= 160 ? 1 : (septets + 152) / 153
        }
        let units = text.utf16.count
        return units <= 70 ? 1 : (units + 66) / 67
    }
}
