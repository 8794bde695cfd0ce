import CarteraCore
import CarteraSecurity
import Foundation

/// Checks and normalises a client's identification data before it is stored: required fields, identifier rules (CURP,
/// RFC with their check digits), agreement between them (birth date and sex in the CURP, the RFC's date), plausible
/// dates, Mexican postal codes and phone numbers, e-mail shape, and no card numbers in any text.
///
/// Every problem is reported at once, each with the JSON path of its field, a machine code and a Spanish message.
public enum ClientValidation {
    /// One problem with one field (its JSON path, e.g. `individual.curp`).
    public typealias Issue = FieldIssue

    /// The data cannot be stored as given.
    public struct Rejected: CarteraError, Equatable {
        public let issues: [Issue]
        public var code: String { "client_invalid" }
        public var message: String {
            "Revise los datos del cliente: " + issues.map { "\($0.message)" }.joined(separator: " ")
        }
    }

    /// The profile normalised (trimmed text, upper-case identifiers, ten-digit phones, lower-case e-mail), or every
    /// problem found. `today` is the business date (for ages and dates in the future).
    public static func validated(_ input: ClientProfile, today: CalendarDate) throws(Rejected) -> ClientProfile {
        var profile = input
        var issues: [Issue] = []
        func issue(_ field: String, _ code: String, _ message: String) { issues.append(Issue(field: field, code: code, message: message)) }
        func required(_ value: inout String, _ field: String, _ label: String, max: Int = 120) {
            value = clean(value)
            if value.isEmpty { issue(field, "required", "Falta \(label).") }
            else if value.count > max { issue(field, "too_long", "\(label.prefix(1).uppercased() + label.dropFirst()) puede tener hasta \(max) caracteres.") }
        }
        func optional(_ value: inout String?, _ field: String, max: Int = 120) {
            value = value.map(clean).flatMap { $0.isEmpty ? nil : $0 }
            if let text = value, text.count > max { issue(field, "too_long", "El campo \(field) puede tener hasta \(max) caracteres.") }
        }

        switch profile.kind {
        case .individual:
            if profile.company != nil { issue("company", "unexpected", "Una persona física no lleva datos de persona moral.") }
            guard var person = profile.individual else {
                issue("individual", "required", "Faltan los datos de la persona física.")
                break
            }
            required(&person.givenNames, "individual.givenNames", "el nombre")
            required(&person.paternalSurname, "individual.paternalSurname", "el apellido paterno")
            optional(&person.maternalSurname, "individual.maternalSurname")
            required(&person.occupation, "individual.occupation", "la ocupación o actividad")
            person.sex = clean(person.sex).uppercased()
            if !["H", "M", "X"].contains(person.sex) { issue("individual.sex", "invalid", "El sexo debe ser H, M o X, como en la CURP.") }
            person.birthState = clean(person.birthState).uppercased()
            if CURP.states[person.birthState] == nil { issue("individual.birthState", "invalid", "La entidad de nacimiento debe ser una clave de la CURP (JC, DF, NL… o NE si nació en el extranjero).") }
            person.birthCountry = country(person.birthCountry, "individual.birthCountry", &issues)
            person.nationality = country(person.nationality, "individual.nationality", &issues)
            let age = person.birthDate.age(on: today)
            if person.birthDate > today { issue("individual.birthDate", "future", "La fecha de nacimiento no puede ser futura.") }
            else if age < 18 { issue("individual.birthDate", "minor", "El cliente debe ser mayor de edad (tiene \(age) años).") }
            else if age > 120 { issue("individual.birthDate", "implausible", "Revise la fecha de nacimiento: daría \(age) años.") }

            let curp = CURP.validate(person.curp)
            person.curp = curp.normalized
            if let reason = curp.reasons.first {
                issue("individual.curp", "invalid", "CURP: \(reason.message)")
            } else {
                if curp.details["birth_date"] != person.birthDate.text {
                    issue("individual.birthDate", "curp_mismatch", "La fecha de nacimiento no coincide con la de la CURP (\(curp.details["birth_date"] ?? "?")).")
                }
                if let sex = curp.details["sex"], sex != person.sex, ["H", "M", "X"].contains(person.sex) {
                    issue("individual.sex", "curp_mismatch", "El sexo no coincide con el de la CURP (\(sex)).")
                }
            }
            if let text = person.rfc.map(clean), !text.isEmpty {
                let rfc = RFC.validate(text)
                person.rfc = rfc.normalized
                if let reason = rfc.reasons.first {
                    issue("individual.rfc", "invalid", "RFC: \(reason.message)")
                } else if rfc.details["person_type"] != RFC.PersonType.fisica.rawValue {
                    issue("individual.rfc", "wrong_type", "El RFC de una persona física tiene 13 caracteres.")
                } else if curp.isValid, rfc.normalized.dropFirst(4).prefix(6) != curp.normalized.dropFirst(4).prefix(6) {
                    issue("individual.rfc", "curp_mismatch", "La fecha del RFC no coincide con la de la CURP.")
                }
            } else {
                person.rfc = nil
            }
            optional(&person.efirmaSerial, "individual.efirmaSerial", max: 40)
            profile.individual = person

        case .company:
            if profile.individual != nil { issue("individual", "unexpected", "Una persona moral no lleva datos de persona física.") }
            guard var company = profile.company else {
                issue("company", "required", "Faltan los datos de la persona moral.")
                break
            }
            required(&company.legalName, "company.legalName", "la razón social", max: 250)
            required(&company.businessActivity, "company.businessActivity", "el giro u objeto social", max: 250)
            company.nationality = country(company.nationality, "company.nationality", &issues)
            let rfc = RFC.validate(clean(company.rfc))
            company.rfc = rfc.normalized
            if let reason = rfc.reasons.first {
                issue("company.rfc", "invalid", "RFC: \(reason.message)")
            } else if rfc.details["person_type"] != RFC.PersonType.moral.rawValue {
                issue("company.rfc", "wrong_type", "El RFC de una persona moral tiene 12 caracteres.")
            }
            if company.incorporationDate > today { issue("company.incorporationDate", "future", "La fecha de constitución no puede ser futura.") }
            optional(&company.efirmaSerial, "company.efirmaSerial", max: 40)
            if company.representatives.isEmpty { issue("company.representatives", "required", "Indique al menos un representante legal o apoderado.") }
            for index in company.representatives.indices {
                var representative = company.representatives[index]
                required(&representative.name, "company.representatives[\(index)].name", "el nombre del representante")
                person(&representative.rfc, &representative.curp, "company.representatives[\(index)]", &issues)
                company.representatives[index] = representative
            }
            var totalBasisPoints = 0
            for index in company.beneficialOwners.indices {
                let field = "company.beneficialOwners[\(index)]"
                var owner = company.beneficialOwners[index]
                required(&owner.name, "\(field).name", "el nombre del beneficiario controlador")
                person(&owner.rfc, &owner.curp, field, &issues)
                defer { company.beneficialOwners[index] = owner }
                if let points = basisPoints(owner.ownershipPercent), points > 0, points <= 10_000 {
                    totalBasisPoints += points
                    owner.ownershipPercent = "\(points / 100).\(points % 100 < 10 ? "0" : "")\(points % 100)"
                } else {
                    issue("\(field).ownershipPercent", "invalid", "La participación debe ser un porcentaje mayor que 0 y hasta 100, con hasta dos decimales.")
                }
            }
            if totalBasisPoints > 10_000 { issue("company.beneficialOwners", "over_100", "Las participaciones de los beneficiarios controladores suman más de 100%.") }
            profile.company = company
        }

        var address = profile.address
        required(&address.street, "address.street", "la calle")
        required(&address.exteriorNumber, "address.exteriorNumber", "el número exterior", max: 20)
        optional(&address.interiorNumber, "address.interiorNumber", max: 20)
        required(&address.neighborhood, "address.neighborhood", "la colonia")
        required(&address.municipality, "address.municipality", "el municipio o alcaldía")
        required(&address.city, "address.city", "la ciudad")
        address.state = clean(address.state).uppercased()
        address.country = country(address.country, "address.country", &issues)
        address.postalCode = clean(address.postalCode)
        if address.country == "MX" {
            if CURP.states[address.state] == nil || address.state == "NE" {
                issue("address.state", "invalid", "La entidad del domicilio debe ser una clave de entidad (JC, DF, NL…).")
            }
            if address.postalCode.count != 5 || !address.postalCode.allSatisfy({ $0.isASCII && $0.isNumber }) {
                issue("address.postalCode", "invalid", "El código postal debe tener 5 dígitos.")
            }
        }
        profile.address = address

        if profile.phones.isEmpty { issue("phones", "required", "Indique al menos un teléfono.") }
        profile.phones = profile.phones.enumerated().map { index, text in
            guard let phone = normalizePhone(text) else {
                issue("phones[\(index)]", "invalid", "El teléfono «\(clean(text).prefix(20))» debe tener 10 dígitos (lada incluida).")
                return clean(text)
            }
            return phone
        }
        if let text = profile.email.map(clean), !text.isEmpty {
            if let email = normalizeEmail(text) { profile.email = email } else { issue("email", "invalid", "El correo electrónico no es válido.") }
        } else {
            profile.email = nil
        }
        if let zone = profile.timeZone.map(clean), !zone.isEmpty {
            if zone.hasPrefix("America/"), TimeZone(identifier: zone) != nil { profile.timeZone = zone } else {
                issue("timeZone", "invalid", "La zona horaria debe ser una zona IANA de América, como America/Tijuana.")
            }
        } else {
            profile.timeZone = nil
        }

        if containsCardNumber(profile) {
            issue("", "card_number_in_text", CardNumberDetector.Rejected().message)
        }
        guard issues.isEmpty else { throw Rejected(issues: issues) }
        return profile
    }

    /// Ten digits, after removing spaces, dashes, dots, parentheses and a leading +52 or 52.
    public static func normalizePhone(_ text: String) -> String? {
        var digits = text.filter { !" -.()".contains($0) }
        if digits.hasPrefix("+52") { digits.removeFirst(3) } else if digits.count == 12, digits.hasPrefix("52") { digits.removeFirst(2) }
        guard digits.count == 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }

    /// Lower case, one `@`, a dotted domain, no spaces; nil when it cannot be an address.
    public static func normalizeEmail(_ text: String) -> String? {
        let email = text.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), email.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { return nil }
        return email
    }

    static func clean(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func country(_ text: String, _ field: String, _ issues: inout [Issue]) -> String {
        let code = clean(text).uppercased()
        if code.count != 2 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) {
            issues.append(Issue(field: field, code: "invalid", message: "El país debe ser un código de dos letras (MX, US…)."))
        }
        return code
    }

    static func person(_ rfc: inout String?, _ curp: inout String?, _ field: String, _ issues: inout [Issue]) {
        if let text = rfc.map(clean), !text.isEmpty {
            let check = RFC.validate(text)
            rfc = check.normalized
            if let reason = check.reasons.first { issues.append(Issue(field: "\(field).rfc", code: "invalid", message: "RFC: \(reason.message)")) }
        } else {
            rfc = nil
        }
        if let text = curp.map(clean), !text.isEmpty {
            let check = CURP.validate(text)
            curp = check.normalized
            if let reason = check.reasons.first { issues.append(Issue(field: "\(field).curp", code: "invalid", message: "CURP: \(reason.message)")) }
        } else {
            curp = nil
        }
    }

    /// `"25"`, `"25.5"`, `"25.50"` → 2550; nil for anything else.
    static func basisPoints(_ text: String) -> Int? {
        let parts = clean(text).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), parts[0].allSatisfy(\.isNumber), whole <= 100 else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isNumber), let value = Int(fraction) else { return nil }
        return whole * 100 + (fraction.count == 1 ? value * 10 : value)
    }

    /// Whether any free text of the profile holds a card number.
    static func containsCardNumber(_ profile: ClientProfile) -> Bool {
        var texts = [profile.address.street, profile.address.exteriorNumber, profile.address.interiorNumber ?? "", profile.address.neighborhood,
                     profile.address.municipality, profile.address.city, profile.email ?? ""]
        if let person = profile.individual {
            texts += [person.givenNames, person.paternalSurname, person.maternalSurname ?? "", person.occupation, person.efirmaSerial ?? ""]
        }
        if let company = profile.company {
            texts += [company.legalName, company.businessActivity, company.efirmaSerial ?? ""]
            texts += company.representatives.map(\.name) + company.beneficialOwners.map(\.name)
        }
        return texts.contains(where: CardNumberDetector.containsCardNumber)
    }
}
