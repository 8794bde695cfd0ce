/// Clave Bancaria Estandarizada: 3 digits of bank, 3 of plaza, 11 of account and a check digit.
///
/// Check digit (Banxico; `../shared/notes/mexico-rules.md` §3.1): weights 3, 7, 1 repeated over the first 17 digits,
/// `s = Σ (dᵢ × wᵢ mod 10)`, check digit `(10 − s mod 10) mod 10`.
public enum CLABE {
    static let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7]

    /// The check digit for the first 17 digits of a CLABE; `nil` unless `body` is exactly 17 ASCII digits.
    public static func checkDigit(for body: some StringProtocol) -> Int? {
        checkDigit(ascii: body.utf8)
    }

    /// The check digit for 17 ASCII digits given as bytes (read byte by byte: this runs for every line of a statement).
    public static func checkDigit(ascii body: some Sequence<UInt8>) -> Int? {
        var sum = 0
        var count = 0
        for byte in body {
            guard byte >= 0x30, byte <= 0x39, count < 17 else { return nil }
            sum += (Int(byte - 0x30) * weights[count]) % 10
            count += 1
        }
        guard count == 17 else { return nil }
        return (10 - sum % 10) % 10
    }

    /// Builds a CLABE from its parts, adding the check digit.
    ///
    /// - Parameters:
    ///   - bankPrefix: 3 digits (the SPEI participant).
    ///   - plaza: 3 digits.
    ///   - account: 11 digits.
    /// - Returns: the 18-digit CLABE, or `nil` when a part has the wrong length or is not numeric.
    public static func make(bankPrefix: String, plaza: String, account: String) -> String? {
        guard bankPrefix.count == 3, plaza.count == 3, account.count == 11 else { return nil }
        let body = bankPrefix + plaza + account
        guard let check = checkDigit(for: body) else { return nil }
        return body + String(check)
    }

    /// Validates a CLABE: 18 digits, a correct check digit and a bank prefix that is a SPEI participant.
    public static func validate(_ text: String, catalog: BankCatalog = .bundled) -> IdentifierValidation {
        let value = normalizeIdentifier(text)
        var reasons: [IdentifierIssue] = []
        var bank: BankCatalog.Participant?
        var details: [String: String] = [:]

        if value.isEmpty {
            reasons.append(.init(code: "clabe_empty", message: "La CLABE está vacía. Escriba los 18 dígitos de la cuenta."))
        } else if !value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            reasons.append(.init(code: "clabe_not_numeric", message: "La CLABE solo puede contener dígitos (0 a 9)."))
        } else if value.count != 18 {
            reasons.append(.init(
                code: "clabe_length",
                message: "La CLABE debe tener 18 dígitos; tiene \(value.count). Revise que la haya copiado completa."
            ))
        } else {
            let body = value.prefix(17)
            let expected = checkDigit(for: body)!
            let actual = value.last!.wholeNumberValue!
            if expected != actual {
                reasons.append(.init(
                    code: "clabe_check_digit",
                    message: "El dígito verificador de la CLABE no coincide (es \(actual), debería ser \(expected)). "
                        + "Revise que no haya un dígito equivocado."
                ))
            }
            let prefix = value.prefix(3)
            details["bank_prefix"] = String(prefix)
            details["plaza"] = String(value.dropFirst(3).prefix(3))
            details["account"] = String(value.dropFirst(6).prefix(11))
            bank = catalog.participant(forPrefix: prefix)
            if bank == nil {
                reasons.append(.init(
                    code: "clabe_unknown_bank",
                    message: "El prefijo \(prefix) no corresponde a ningún participante de SPEI en el catálogo de Banxico. "
                        + "Revise la CLABE o actualice el catálogo de participantes."
                ))
            }
        }
        return IdentifierValidation(kind: .clabe, normalized: value, reasons: reasons, bank: bank, details: details)
    }
}
