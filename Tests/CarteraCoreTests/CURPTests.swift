import CarteraCore
import CarteraTestSupport
import Testing

@Suite("CURP")
struct CURPTests {
    @Test("published vectors", arguments: [("BOXW310820HNERXN09", true), ("HEGG560427MVZRRL04", true), ("BOXW310820HNERXN08", false)])
    func vectors(curp: String, valid: Bool) {
        #expect(CURP.validate(curp).isValid == valid)
    }

    @Test("reads birth date, sex and state")
    func details() {
        let result = CURP.validate("HEGG560427MVZRRL04")
        #expect(result.details["birth_date"] == "1956-04-27")
        #expect(result.details["sex"] == "M")
        #expect(result.details["state"] == "VZ")
        #expect(result.details["state_name"] == "Veracruz")
    }

    @Test("the differentiator sets the century")
    func century() {
        let body = "GOMA050101HDFRRNA"  // letter at 17 → born 2005
        let result = CURP.validate(body + String(Oracle.curpCheck(body)))
        #expect(result.isValid)
        #expect(result.details["birth_date"] == "2005-01-01")
        // 29 Feb 1900 does not exist (digit → 1900s); 29 Feb 2000 does (letter → 2000s).
        let nineteen = "GOMA000229HDFRRN0"
        #expect(CURP.validate(nineteen + String(Oracle.curpCheck(nineteen))).reasons.map(\.code) == ["curp_date_invalid"])
        let twenty = "GOMA000229HDFRRNA"
        #expect(CURP.validate(twenty + String(Oracle.curpCheck(twenty))).isValid)
    }

    @Test("structure is enforced", arguments: [
        ("", "curp_empty"),
        ("HEGG560427MVZRRL0", "curp_length"),
        ("HBGG560427MVZRRL04", "curp_name_letters"),
        ("HEGG561327MVZRRL04", "curp_date_invalid"),
        ("HEGG5604X7MVZRRL04", "curp_date_format"),
        ("HEGG560427XVZRRL04", "curp_sex"),
        ("HEGG560427MXXRRL04", "curp_state"),
        ("HEGG560427MVZRAL04", "curp_consonants"),
        ("HEGG560427MVZRRL0A", "curp_check_digit_format"),
        ("HEGG560427MVZRRL05", "curp_check_digit"),
    ])
    func rejects(curp: String, code: String) {
        let result = CURP.validate(curp)
        #expect(!result.isValid)
        #expect(result.reasons.map(\.code).contains(code), "\(result.reasons)")
    }

    @Test("X as sex only when configured")
    func sexX() {
        let body = "HEGG560427XVZRRL0"
        let curp = body + String(Oracle.curpCheck(body))
        #expect(!CURP.validate(curp).isValid)
        #expect(CURP.validate(curp, options: .init(allowsSexX: true)).isValid)
    }

    @Test("agrees with the published algorithm on thousands of generated and corrupted values")
    func property() {
        var random = SeededRandom(seed: 1810)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let vowels = Array("AEIOUX")
        let consonants = Array("BCDFGHJKLMNPQRSTVWXYZ")
        let states = Array(CURP.states.keys).sorted()
        for _ in 0..<5_000 {
            let bornAfter2000 = Bool.random(using: &random)
            let year = Int.random(in: 0...99, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            let date = [year, month, day].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined()
            var body = String(random.element(letters)) + String(random.element(vowels))
            body += String(random.element(letters)) + String(random.element(letters)) + date
            body += random.element(["H", "M"]) + random.element(states)
            body += String((0..<3).map { _ in random.element(consonants) })
            body += bornAfter2000 ? String(random.element(letters)) : String(random.digit())
            let check = Oracle.curpCheck(body)
            #expect(CURP.validate(body + String(check)).isValid, "\(body)\(check)")

            // Every other check digit is rejected.
            let wrong = (check + Int.random(in: 1...9, using: &random)) % 10
            #expect(CURP.validate(body + String(wrong)).reasons.map(\.code) == ["curp_check_digit"])

            // A changed character in the body: valid exactly when the oracle's check digit still matches.
            var changed = Array(body)
            let position = Int.random(in: 14...15, using: &random)  // consonant positions keep the structure valid
            changed[position] = random.element(consonants)
            let changedBody = String(changed)
            let expected = Oracle.curpCheck(changedBody) == check
            #expect(CURP.validate(changedBody + String(check)).isValid == expected, "\(changedBody)\(check)")
        }
    }
}
