import CarteraCore
import CarteraTestSupport
import Foundation
import Testing

@Suite("CLABE")
struct CLABETests {
    @Test("published vectors")
    func vectors() {
        let banamex = CLABE.validate("002010077777777771")
        #expect(banamex.isValid)
        #expect(banamex.bank?.name == "Banamex")
        #expect(banamex.bank?.speiCode == "40002")
        let bbva = CLABE.validate("012180001183597198")
        #expect(bbva.isValid)
        #expect(bbva.bank?.name == "BBVA Mexico")
        let wrong = CLABE.validate("002010077777777772")
        #expect(!wrong.isValid)
        #expect(wrong.reasons.map(\.code) == ["clabe_check_digit"])
    }

    @Test("explains each kind of bad input", arguments: [
        ("", "clabe_empty"),
        ("00201007777777777", "clabe_length"),
        ("0020100777777777711", "clabe_length"),
        ("00201007777777777A", "clabe_not_numeric"),
        ("999010077777777775", "clabe_unknown_bank"),
    ])
    func badInput(text: String, code: String) {
        let result = CLABE.validate(text)
        #expect(!result.isValid)
        #expect(result.reasons.map(\.code).contains(code))
        #expect(result.reasons.allSatisfy { !$0.message.isEmpty })
    }

    @Test("spaces and hyphens are ignored")
    func normalisation() {
        #expect(CLABE.validate(" 002 010 07777777777-1 ").isValid)
    }

    @Test("make builds valid CLABEs")
    func make() {
        #expect(CLABE.make(bankPrefix: "002", plaza: "010", account: "07777777777") == "002010077777777771")
        #expect(CLABE.make(bankPrefix: "02", plaza: "010", account: "07777777777") == nil)
    }

    @Test("agrees with the published algorithm on thousands of generated and corrupted values")
    func property() {
        var random = SeededRandom(seed: 2026)
        let prefixes = Array(BankCatalog.bundled.participantsByPrefix.keys).sorted()
        for _ in 0..<5_000 {
            let body = random.element(prefixes) + random.digits(14)
            let check = Oracle.clabeCheck(body.compactMap(\.wholeNumberValue))
            let valid = body + String(check)
            #expect(CLABE.validate(valid).isValid, "\(valid)")

            // Any single-digit change is caught: weights 3, 7 and 1 are coprime with 10.
            var corrupted = Array(valid)
            let position = Int.random(in: 0..<18, using: &random)
            let original = corrupted[position].wholeNumberValue!
            corrupted[position] = Character(String((original + Int.random(in: 1...9, using: &random)) % 10))
            #expect(!CLABE.validate(String(corrupted)).isValid, "\(String(corrupted))")

            // Random 18-digit strings: valid exactly when the oracle's check digit and the bank prefix agree.
            let any = random.digits(18)
            let oracleValid = Oracle.clabeCheck(any.prefix(17).compactMap(\.wholeNumberValue)) == any.last!.wholeNumberValue!
                && BankCatalog.bundled.participant(forPrefix: any.prefix(3)) != nil
            #expect(CLABE.validate(any).isValid == oracleValid, "\(any)")
        }
    }

    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/fixtures/banxico/spei-participants.csv").standardizedFileURL

    @Test(
        "the bundled catalog matches the shared Banxico starting copy",
        .enabled(if: FileManager.default.fileExists(atPath: fixture.path), "needs ../shared/fixtures beside the project")
    )
    func catalogMatchesFixture() throws {
        let fixture = Self.fixture
        let shared = try BankCatalog(contentsOf: fixture)
        #expect(shared.participantsByPrefix == BankCatalog.bundled.participantsByPrefix)
        #expect(BankCatalog.bundled.participantsByPrefix.count == 98)
    }

    @Test("a malformed catalog is rejected with the line number")
    func badCatalog() {
        #expect(throws: BankCatalog.LoadError.self) { try BankCatalog(csv: "clabe_prefix,spei_code,name\n01,40002,X\n") }
        #expect(throws: BankCatalog.LoadError.self) { try BankCatalog(csv: "clabe_prefix,spei_code,name\n") }
        #expect(throws: BankCatalog.LoadError.self) { try BankCatalog(csv: "002,40002,A\n002,40002,B\n") }
        #expect((try? BankCatalog(csv: "002,40002,Banamex\n"))?.participant(forPrefix: "002")?.name == "Banamex")
    }
}
