/// Code 128 barcodes (ISO/IEC 15417), as printed on store payment vouchers (OXXO and other cash networks read them at
/// the till). Digits-only text of even length is encoded in code set C (two digits a symbol); anything else printable
/// ASCII in code set B.
public enum Code128 {
    /// The bar and space widths (in modules) of each symbol value 0–105, and of the stop symbol (106).
    static let patterns: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213", "221312", "231212", "112232",
        "122132", "122231", "113222", "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",
        "321221", "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311",
        "211313", "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331", "231131", "213113",
        "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224", "111422",
        "121124", "121421", "141122", "141221", "112214", "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111",
        "241112", "134111", "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141", "214121",
        "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
        "211214", "211232", "2331112",
    ]
    static let startB = 104
    static let startC = 105
    static let stop = 106

    /// The symbol values of `text`, start and check symbols included (stop excluded); nil for text it cannot encode.
    public static func values(_ text: String) -> [Int]? {
        guard !text.isEmpty, text.count <= 80 else { return nil }
        var values: [Int]
        let digits = Array(text.utf8)
        if digits.count % 2 == 0, digits.allSatisfy({ (48...57).contains($0) }) {
            values = [startC]
            for pair in stride(from: 0, to: digits.count, by: 2) {
                values.append(Int(digits[pair] - 48) * 10 + Int(digits[pair + 1] - 48))
            }
        } else {
            guard digits.allSatisfy({ (32...126).contains($0) }) else { return nil }
            values = [startB] + digits.map { Int($0) - 32 }
        }
        var sum = values[0]
        for (position, value) in values.enumerated().dropFirst() { sum += position * value }
        values.append(sum % 103)
        return values
    }

    /// The modules left to right (`true` a bar), quiet zones not included.
    public static func modules(_ text: String) -> [Bool]? {
        guard let values = values(text) else { return nil }
        var modules: [Bool] = []
        for value in values + [stop] {
            for (index, width) in patterns[value].enumerated() {
                modules += Array(repeating: index % 2 == 0, count: Int(width.asciiValue! - 48))
            }
        }
        return modules
    }

    /// An SVG of the barcode, `moduleWidth` pixels a module, with the ten-module quiet zones the standard asks.
    public static func svg(_ text: String, moduleWidth: Int = 2, height: Int = 60) -> String? {
        guard let modules = modules(text) else { return nil }
        // Code set B allows `&`, `<` and `"`: escaped for the attribute.
        let label = text.map { character -> String in
            switch character {
            case "&": "&amp;"
            case "<": "&lt;"
            case "\"": "&quot;"
            default: String(character)
            }
        }.joined()
        let width = (modules.count + 20) * moduleWidth
        var rects = ""
        var x = 0
        while x < modules.count {
            guard modules[x] else { x += 1; continue }
            var end = x
            while end < modules.count, modules[end] { end += 1 }
            rects += "<rect x=\"\((x + 10) * moduleWidth)\" y=\"0\" width=\"\((end - x) * moduleWidth)\" height=\"\(height)\"/>"
            x = end
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"Código de barras \(label)\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><g fill=\"#000\">\(rects)</g></svg>"
    }
}
