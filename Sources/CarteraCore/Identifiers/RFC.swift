/// Registro Federal de Contribuyentes, assigned by SAT.
///
/// Persona física: 13 characters, 4 letters + birth date `AAMMDD` + homoclave (2) + check digit.
/// Persona moral: 12 characters, 3 letters + constitution date `AAMMDD` + homoclave (2) + check digit.
/// The check digit (`../shared/notes/mexico-rules.md` §3.2) is a weighted sum modulo 11 over the alphabet
/// `0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ`. About 1.5 % of RFCs in use carry a wrong check digit, so a mismatch is a
/// warning, not a reason to reject. The generic RFCs `XAXX010101000` (público en general) and `XEXX010101000`
/// (extranjeros) are accepted as generic.
public enum RFC {
    /// The kind of taxpayer an RFC belongs to.
    public enum PersonType: String, Sendable, Codable {
        case fisica
        case moral
    }

    /// Generic RFC for the general public (público en general).
    public static let genericDomestic = "XAXX010101000"
    /// Generic RFC for foreign residents (extranjeros).
    public static let genericForeign = "XEXX010101000"

    static let alphabet = Array("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")
    static let letters = Set("ABCDEFGHIJKLMNÑOPQRSTUVWXYZ&")

    /// The check digit (`0`–`9` or `A`) for the first 11 (moral) or 12 (física) characters of an RFC.
    public static func checkDigit(for body: some StringProtocol) -> Character? {
        guard body.count == 11 || body.count == 12 else { return nil }
        let padded = Array(repeating: Character(" "), count: 12 - body.count) + Array(body)
        var sum = 0
        for (index, character) in padded.enumerated() {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * (13 - index)
        }
        let remainder = (11 - sum % 11) % 11
        return remainder == 10 ? "A" : Character(String(remainder))
    }

    /// Validates an RFC's structure, date and check digit.
    public static func validate(_ text: String) -> IdentifierValidation {
        let value = normalizeIdentifier(text)
        if value == genericDomestic || value == genericForeign {
            return IdentifierValidation(
                kind: .rfc,
                normalized: value,
                reasons: [],
                warnings: [.init(
                    code: "rfc_generic",
                    message: value == genericDomestic
                        ? "Es el RFC genérico para público en general; no identifica a una persona."
                        : "Es el RFC genérico para residentes en el extranjero; no identifica a una persona."
                )],
                details: ["generic": "true"]
            )
        }

        var reasons: [IdentifierIssue] = []
        var warnings: [IdentifierIssue] = []
        var details: [String: String] = [:]
        let characters = Array(value)

        guard characters.count == 12 || characters.count == 13 else {
            let message = value.isEmpty
                ? "El RFC está vacío. Escriba 13 caracteres para persona física o 12 para persona moral."
                : "El RFC debe tener 13 caracteres (persona física) o 12 (persona moral); tiene \(characters.count)."
            return IdentifierValidation(
                kind: .rfc,
                normalized: value,
                reasons: [.init(code: value.isEmpty ? "rfc_empty" : "rfc_length", message: message)]
            )
        }
        let type: PersonType = characters.count == 13 ? .fisica : .moral
        details["person_type"] = type.rawValue
        let nameLength = type == .fisica ? 4 : 3
        let name = characters[0..<nameLength]
        let date = characters[nameLength..<(nameLength + 6)]
        let homoclave = characters[(nameLength + 6)..<(nameLength + 8)]
        let check = characters[nameLength + 8]
        let typeText = type == .fisica ? "persona física" : "persona moral"

        if !name.allSatisfy(letters.contains) {
            reasons.append(.init(
                code: "rfc_name_letters",
                message: "Los primeros \(nameLength) caracteres del RFC de \(typeText) deben ser letras (A-Z, Ñ o &)."
            ))
        }
        if !date.allSatisfy({ $0.isASCII && $0.isNumber }) {
            reasons.append(.init(
                code: "rfc_date_format",
                message: "Después de las letras, el RFC debe tener 6 dígitos con la fecha AAMMDD."
            ))
        } else {
            let dateText = String(date)
            let result = isValidDate(yymmdd: Substring(dateText), centuries: [1900, 2000])
            if result.valid {
                details["date"] = dateText
            } else {
                reasons.append(.init(
                    code: "rfc_date_invalid",
                    message: "La fecha del RFC (\(dateText), formato AAMMDD) no es una fecha válida."
                ))
            }
        }
        if !homoclave.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            reasons.append(.init(
                code: "rfc_homoclave",
                message: "La homoclave del RFC (\(String(homoclave))) solo puede tener letras A-Z y dígitos."
            ))
        }
        if !(check == "A" || (check.isASCII && check.isNumber)) {
            reasons.append(.init(
                code: "rfc_check_digit_format",
                message: "El último carácter del RFC debe ser un dígito o la letra A."
            ))
        }
        if reasons.isEmpty, let expected = checkDigit(for: String(characters.dropLast())), expected != check {
            warnings.append(.init(
                code: "rfc_check_digit",
                message: "El dígito verificador del RFC no coincide (es \(check), debería ser \(expected)). "
                    + "Algunos RFC asignados por el SAT lo tienen así: confírmelo con la Constancia de Situación Fiscal."
            ))
        }
        return IdentifierValidation(kind: .rfc, normalized: value, reasons: reasons, warnings: warnings, details: details)
    }
}
