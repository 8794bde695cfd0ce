import CarteraCore
import CarteraTestSupport
import Testing

@Suite("Virtual CLABEs per loan")
struct VirtualCLABERangeTests {
    @Test("A range's CLABEs carry Banxico's check digit: the Banamex vector 002010077777777771 is number 777777 of prefix 00201007777")
    func golden() throws {
        let range = try VirtualCLABERange(prefix: "00201007777")
        #expect(range.capacity == 1_000_000)
        #expect(range.clabe(number: 777_777) == "002010077777777771")
        #expect(range.number(of: "002010077777777771") == 777_777)
        #expect(range.clabe(number: 0) == nil && range.clabe(number: 1_000_000) == nil)
    }

    @Test("STP-style prefix 646180 + company digits: every CLABE validates, numbers round-trip, neighbours differ (property)")
    func property() throws {
        let range = try VirtualCLABERange(prefix: "6461801234")
        #expect(range.capacity == 10_000_000)
        var random = SeededRandom(seed: 646)
        for _ in 0..<2_000 {
            let number = Int64.random(in: 1..<range.capacity, using: &random)
            let clabe = try #require(range.clabe(number: number))
            #expect(clabe.count == 18 && clabe.hasPrefix("6461801234") && CLABE.validate(clabe).isValid)
            #expect(range.number(of: clabe) == number)
            // One digit changed is not a CLABE of the range: the check digit catches it.
            var digits = Array(clabe)
            let position = Int.random(in: 10..<17, using: &random)
            digits[position] = Character(String(((digits[position].wholeNumberValue ?? 0) + 1) % 10))
            #expect(range.number(of: String(digits)) == nil)
        }
        #expect(range.number(of: "002010077777777771") == nil)
    }

    @Test("Prefixes refused: too short or long, not digits, a bank that is not a SPEI participant", arguments: ["64618", "646180123456789", "64618O1234", "999180123"])
    func refused(prefix: String) {
        #expect(throws: VirtualCLABERange.Refusal.self) { try VirtualCLABERange(prefix: prefix) }
    }
}
