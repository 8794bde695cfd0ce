import CarteraCore
import CarteraTestSupport
import Testing

@Suite("RFC")
struct RFCTests {
    @Test("published vectors are valid without warnings", arguments: [
        ("SAT970701NN3", "moral"), ("BBA830831LJ2", "moral"), ("CFE370814QI0", "moral"), ("GODE561231GR8", "fisica"),
        ("MAB9307148T4", "moral"),
    ])
    func vectors(rfc: String, type: String) {
        let result = RFC.validate(rfc)
        #expect(result.isValid)
        #expect(result.warnings.isEmpty)
        #expect(result.details["person_type"] == type)
    }

    @Test("generic RFCs are accepted as generic", arguments: ["XAXX010101000", "XEXX010101000", "xaxx-010101-000"])
    func generic(rfc: String) {
        let result = RFC.validate(rfc)
        #expect(result.isValid)
        #expect(result.warnings.map(\.code) == ["rfc_generic"])
        #expect(result.details["generic"] == "true")
    }

    @Test("a wrong check digit is a warning, not a rejection")
    func wrongCheckDigit() {
        let result = RFC.validate("GODE561231GR9")
        #expect(result.isValid)
        #expect(result.warnings.map(\.code) == ["rfc_check_digit"])
    }

    @Test("structure and dates are enforced", arguments: [
        ("", "rfc_empty"),
        ("GODE561231GR", "rfc_date_format"),  // 12 characters: read as moral, "E56123" is no date
        ("GODE5612310GR8", "rfc_length"),
        ("G0DE561231GR8", "rfc_name_letters"),
        ("GODE561331GR8", "rfc_date_invalid"),
        ("GODE560230GR8", "rfc_date_invalid"),
        ("GODE561231G-8", "rfc_date_format"),  // the hyphen is dropped: 12 characters
        ("GODE561231GRB", "rfc_check_digit_format"),
        ("GODE561231G*8", "rfc_homoclave"),
    ])
    func rejects(rfc: String, code: String) {
        let result = RFC.validate(rfc)
        #expect(!result.isValid)
        #expect(result.reasons.map(\.code).contains(code), "\(result.reasons)")
    }

    @Test("29 February is valid only in leap years of some century")
    func leapDay() {
        #expect(RFC.validate(withCheck("GODE000229GR")).isValid)  // 2000 is a leap year
        #expect(RFC.validate(withCheck("GODE960229GR")).isValid)
        #expect(!RFC.validate(withCheck("GODE970229GR")).isValid)
    }

    @Test("Ñ and & are letters of the alphabet")
    func specialLetters() {
        let result = RFC.validate(withCheck("MUÑO800101AB"))
        #expect(result.isValid && result.warnings.isEmpty)
        #expect(RFC.validate(withCheck("M&A800101AB")).isValid)
        #expect(RFC.validate(withCheck("muño800101ab").lowercased()).normalized.hasPrefix("MUÑO"))
    }

    @Test("agrees with the published algorithm on thousands of generated and corrupted values")
    func property() {
        var random = SeededRandom(seed: 1970)
        let letters = Array("ABCDEFGHIJKLMNÑOPQRSTUVWXYZ&")
        let homoclave = Array("ABCDEFGHIJKLMNPQRSTUVWXYZ123456789")
        for index in 0..<5_000 {
            let isFisica = index % 2 == 0
            let name = String((0..<(isFisica ? 4 : 3)).map { _ in random.element(letters) })
            let year = Int.random(in: 0...99, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            let date = [year, month, day].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined()
            let body = name + date + String(random.element(homoclave)) + String(random.element(homoclave))
            let valid = body + String(Oracle.rfcCheck(body))
            let result = RFC.validate(valid)
            #expect(result.isValid && result.warnings.isEmpty, "\(valid)")

            // Another check digit: still valid, with exactly the check-digit warning.
            let other = random.element(Array("0123456789A").filter { $0 != valid.last! })
            let corrupted = RFC.validate(body + String(other))
            #expect(corrupted.isValid && corrupted.warnings.map(\.code) == ["rfc_check_digit"], "\(body)\(other)")
        }
    }

    private func withCheck(_ body: String) -> String { body + String(Oracle.rfcCheck(body.uppercased())) }
}
