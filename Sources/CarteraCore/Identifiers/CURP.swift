/// Clave Única de Registro de Población (RENAPO), 18 characters.
///
/// Positions: 1–4 letters from the name (2 is a vowel or X), 5–10 birth date `AAMMDD`, 11 sex (`H`/`M`), 12–13 state of
/// birth (`NE` abroad), 14–16 internal consonants, 17 differentiator (a digit for births up to 1999, a letter from 2000),
/// 18 check digit: `(10 − Σ value(cᵢ) × (18 − i) mod 10) mod 10` over `0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ`
/// (`../shared/notes/mexico-rules.md` §3.3).
public enum CURP {
    /// State codes of position 12–13, with their names.
    public static let states: [String: String] = [
        "AS": "Aguascalientes", "BC": "Baja California", "BS": "Baja California Sur", "CC": "Campeche",
        "CL": "Coahuila", "CM": "Colima", "CS": "Chiapas", "CH": "Chihuahua", "DF": "Ciudad de México",
        "DG": "Durango", "GT": "Guanajuato", "GR": "Guerrero", "HG": "Hidalgo", "JC": "Jalisco", "MC": "Estado de México",
        "MN": "Michoacán", "MS": "Morelos", "NT": "Nayarit", "NL": "Nuevo León", "OC": "Oaxaca", "PL": "Puebla",
        "QT": "Querétaro", "QR": "Quintana Roo", "SP": "San Luis Potosí", "SL": "Sinaloa", "SR": "Sonora",
        "TC": "Tabasco", "TS": "Tamaulipas", "TL": "Tlaxcala", "VZ": "Veracruz", "YN": "Yucatán", "ZS": "Zacatecas",
        "NE": "Nacido en el extranjero",
    ]

    /// What to accept beyond the published rules.
    public struct Options: Sendable, Hashable {
        /// Accept `X` as the sex marker (non-binary); there is no published rule for it yet.
        public var allowsSexX: Bool

        public init(allowsSexX: Bool = false) { self.allowsSexX = allowsSexX }
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ")
    static let asciiLetters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let consonants = Set("BCDFGHJKLMNPQRSTVWXYZ")

    /// The check digit for the first 17 characters of a CURP.
    public static func checkDigit(for body: some StringProtocol) -> Int? {
        guard body.count == 17 else { return nil }
        var sum = 0
        for (index, character) in body.enumerated() {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * (18 - index)
        }
        return (10 - sum % 10) % 10
    }

    /// Validates a CURP's structure, birth date, sex, state and check digit.
    public static func validate(_ text: String, options: Options = Options()) -> IdentifierValidation {
        let value = normalizeIdentifier(text)
        let c = Array(value)
        guard c.count == 18 else {
            let message = value.isEmpty
                ? "La CURP está vacía. Escriba los 18 caracteres."
                : "La CURP debe tener 18 caracteres; tiene \(c.count)."
            return IdentifierValidation(
                kind: .curp,
                normalized: value,
                reasons: [.init(code: value.isEmpty ? "curp_empty" : "curp_length", message: message)]
            )
        }
        var reasons: [IdentifierIssue] = []
        var details: [String: String] = [:]

        if !(asciiLetters.contains(c[0]) && "AEIOUX".contains(c[1]) && asciiLetters.contains(c[2])
            && asciiLetters.contains(c[3]))
        {
            reasons.append(.init(
                code: "curp_name_letters",
                message: "Los primeros 4 caracteres de la CURP deben ser letras (el segundo, una vocal o X)."
            ))
        }
        let dateText = String(c[4..<10])
        let differentiator = c[16]
        if !dateText.allSatisfy({ $0.isASCII && $0.isNumber }) {
            reasons.append(.init(code: "curp_date_format", message: "Los caracteres 5 a 10 de la CURP deben ser la fecha AAMMDD."))
        } else {
            // Position 17 tells the century: a digit for births up to 1999, a letter from 2000.
            let century = differentiator.isNumber ? 1900 : 2000
            let result = isValidDate(yymmdd: Substring(dateText), centuries: [century])
            if let year = result.year {
                details["birth_date"] = "\(year)-\(dateText.dropFirst(2).prefix(2))-\(dateText.suffix(2))"
            } else {
                reasons.append(.init(
                    code: "curp_date_invalid",
                    message: "La fecha de nacimiento de la CURP (\(dateText), formato AAMMDD) no es una fecha válida."
                ))
            }
        }
        let sexes: Set<Character> = options.allowsSexX ? ["H", "M", "X"] : ["H", "M"]
        if sexes.contains(c[10]) {
            details["sex"] = String(c[10])
        } else {
            reasons.append(.init(
                code: "curp_sex",
                message: "El carácter 11 de la CURP indica el sexo y debe ser H o M; es «\(c[10])»."
            ))
        }
        let state = String(c[11..<13])
        if let name = states[state] {
            details["state"] = state
            details["state_name"] = name
        } else {
            reasons.append(.init(
                code: "curp_state",
                message: "«\(state)» no es una clave de entidad federativa válida (caracteres 12 y 13 de la CURP)."
            ))
        }
        if !c[13..<16].allSatisfy(consonants.contains) {
            reasons.append(.init(code: "curp_consonants", message: "Los caracteres 14 a 16 de la CURP deben ser consonantes."))
        }
        if !(differentiator.isASCII && (differentiator.isNumber || asciiLetters.contains(differentiator))) {
            reasons.append(.init(code: "curp_differentiator", message: "El carácter 17 de la CURP debe ser un dígito o una letra."))
        }
        let last = c[17]
        if !(last.isASCII && last.isNumber) {
            reasons.append(.init(code: "curp_check_digit_format", message: "El último carácter de la CURP debe ser un dígito."))
        } else if reasons.isEmpty, let expected = checkDigit(for: String(c.dropLast())), expected != last.wholeNumberValue {
            reasons.append(.init(
                code: "curp_check_digit",
                message: "El dígito verificador de la CURP no coincide (es \(last), debería ser \(expected)). "
                    + "Revise que no haya un carácter equivocado."
            ))
        }
        return IdentifierValidation(kind: .curp, normalized: value, reasons: reasons, details: details)
    }
}
