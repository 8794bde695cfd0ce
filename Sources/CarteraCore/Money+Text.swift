extension Money {
    /// How an amount is written.
    public enum TextStyle: Sendable {
        /// `1,234.56`
        case plain
        /// `$1,234.56`
        case symbol
        /// `$1,234.56 MXN`
        case symbolAndCode
    }

    /// The amount as text, with thousands separators and all the decimals of the currency.
    ///
    /// Negative amounts take a leading minus sign: `-$1,234.56 MXN`.
    public func formatted(_ style: TextStyle = .plain) -> String {
        let magnitude = minorUnits.magnitude
        let perUnit = UInt64(currency.minorUnitsPerUnit)
        let units = magnitude / perUnit
        let fraction = magnitude % perUnit

        var digits = Array(String(units))
        var grouped: [Character] = []
        grouped.reserveCapacity(digits.count + digits.count / 3)
        while digits.count > 3 {
            let tail = digits.suffix(3)
            digits.removeLast(3)
            grouped.insert(contentsOf: [","] + tail, at: 0)
        }
        grouped.insert(contentsOf: digits, at: 0)

        var text = String(grouped)
        if currency.minorUnitDigits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: currency.minorUnitDigits - fractionText.count) + fractionText
        }
        let sign = minorUnits < 0 ? "-" : ""
        switch style {
        case .plain: return sign + text
        case .symbol: return sign + "$" + text
        case .symbolAndCode: return sign + "$" + text + " " + currency.code
        }
    }

    /// The amount as a machine reads it: no thousands separators, all the decimals of the currency (`-1234.56`).
    public var decimalText: String {
        let magnitude = minorUnits.magnitude
        let perUnit = UInt64(currency.minorUnitsPerUnit)
        var text = minorUnits < 0 ? "-" : ""
        text += String(magnitude / perUnit)
        if currency.minorUnitDigits > 0 {
            let fraction = String(magnitude % perUnit)
            text += "."
            text += String(repeating: "0", count: currency.minorUnitDigits - fraction.count)
            text += fraction
        }
        return text
    }

    /// Reads an amount written as `1234.56`, `1,234.56`, `$1,234.56`, `$1,234.56 MXN` or `-1,234.56`.
    ///
    /// Thousands separators are optional but, when present, must group digits by three. Decimals beyond the currency's
    /// minor unit are accepted only when they are zeros: nothing is ever rounded silently. A currency code, when
    /// written, must be `currency`.
    public init(parsing text: String, currency: Currency = .mxn) throws(MoneyError) {
        var scalars = Substring(text.trimmingWhitespace())
        let original = String(scalars)
        guard !scalars.isEmpty else { throw .invalidFormat(original) }

        // Trailing currency code: only a code Cartera knows counts as one.
        if let last = scalars.last, last.isLetter {
            let codeStart = scalars.lastIndex(where: { !$0.isLetter }).map { scalars.index(after: $0) } ?? scalars.startIndex
            let code = String(scalars[codeStart...])
            scalars = scalars[..<codeStart]
            guard code.count == 3, code.allSatisfy({ $0.isASCII }), let found = Currency(code: code) else {
                throw .invalidFormat(original)
            }
            guard found == currency else { throw .unexpectedCurrency(found: found.code, expected: currency.code) }
            scalars = Substring(String(scalars).trimmingWhitespace())
        }

        // Sign and symbol, in either order: "-$1.00", "$-1.00", "+1.00".
        var negative = false
        var sawSign = false
        var sawSymbol = false
        while let first = scalars.first, first == "-" || first == "+" || first == "$" || first == " " {
            if first == "$" {
                if sawSymbol { throw .invalidFormat(original) }
                sawSymbol = true
            } else if first != " " {
                if sawSign { throw .invalidFormat(original) }
                sawSign = true
                negative = first == "-"
            }
            scalars = scalars.dropFirst()
        }

        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .invalidFormat(original) }
        let integerText = parts[0]
        let fractionText = parts.count == 2 ? parts[1] : ""
        guard !integerText.isEmpty || !fractionText.isEmpty else { throw .invalidFormat(original) }
        if parts.count == 2 && fractionText.isEmpty { throw .invalidFormat(original) }
        guard fractionText.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalidFormat(original) }

        let groups = integerText.split(separator: ",", omittingEmptySubsequences: false)
        for (index, group) in groups.enumerated() {
            guard group.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalidFormat(original) }
            if groups.count > 1 {
                let validLength = index == 0 ? (1...3).contains(group.count) : group.count == 3
                guard validLength else { throw .invalidFormat(original) }
            }
        }
        let integerDigits = groups.joined()

        let allowed = currency.minorUnitDigits
        var fractionDigits = String(fractionText)
        if fractionDigits.count > allowed {
            let extra = fractionDigits.dropFirst(allowed)
            guard extra.allSatisfy({ $0 == "0" }) else { throw .tooManyDecimals(original, allowed: allowed) }
            fractionDigits = String(fractionDigits.prefix(allowed))
        }
        fractionDigits += String(repeating: "0", count: allowed - fractionDigits.count)

        // Accumulate the magnitude; a negative amount may reach |Int64.min| = Int64.max + 1.
        let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        for character in integerDigits + fractionDigits {
            guard let digit = character.wholeNumberValue else { throw .invalidFormat(original) }
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(UInt64(digit))
            if o1 || o2 || next > limit { throw .overflow }
            magnitude = next
        }
        let value = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
        self.init(minorUnits: value, currency: currency)
    }
}

extension Money: CustomStringConvertible {
    /// `$1,234.56 MXN`
    public var description: String { formatted(.symbolAndCode) }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (Foundation-free).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
