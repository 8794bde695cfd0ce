/// Amounts as statements write them, to signed minor units of their currency.
enum StatementAmount {
    /// The largest amount a statement line may have, in minor units.
    static let limit: Int64 = 1_000_000_000_000

    /// Decimal places of a currency's minor unit (ISO 4217): 0 for yen and the like, 3 for the dinars, 2 otherwise.
    static func digits(_ currency: String) -> Int {
        switch currency.uppercased() {
        case "JPY", "KRW", "CLP", "ISK", "VND", "XOF", "XAF", "PYG", "UGX", "RWF", "KMF", "GNF", "DJF", "BIF", "VUV", "XPF": 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD": 3
        default: 2
        }
    }

    /// `1234.56`, `18.150` (extra zeros are fine), `2700`, `-5.00`; with `decimalComma`, `380115,12`, `380115,` and
    /// `0,12`; with `grouping`, thousands separators (`1,234.56`). nil for anything else, or for a fraction finer than
    /// the currency's minor unit (`18.155` EUR).
    static func minorUnits(_ text: String, currency: String, decimalComma: Bool = false, grouping: Bool = false) -> Int64? {
        let digits = digits(currency)
        var bytes = Array(text.utf8)
        while let first = bytes.first, first == 0x20 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 { bytes.removeLast() }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        let separator = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let group = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenSeparator = false
        var seenDigit = false
        for byte in bytes {
            if byte == separator {
                guard !seenSeparator else { return nil }
                seenSeparator = true
            } else if byte == group, grouping, !seenSeparator {
                continue
            } else if byte >= 0x30, byte <= 0x39 {
                seenDigit = true
                let value = Int64(byte - 0x30)
                if seenSeparator {
                    fractionDigits += 1
                    if fractionDigits > digits {
                        guard value == 0 else { return nil }  // finer than the minor unit
                        continue
                    }
                    fraction = fraction * 10 + value
                } else {
                    let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
                    guard !overflow, times <= Int64.max / 1_000 - value else { return nil }
                    whole = times + value
                }
            } else {
                return nil
            }
        }
        guard seenDigit else { return nil }
        for _ in min(fractionDigits, digits)..<digits { fraction *= 10 }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let value = whole * scale + fraction
        // Above 10^12 minor units (ten billion pesos) no statement line is real; refusing it keeps any sum of a
        // million lines within Int64.
        guard value <= limit else { return nil }
        return negative ? -value : value
    }
}
