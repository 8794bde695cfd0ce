import CarteraCore
import CarteraTestSupport
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test("known instants are written in ISO-8601 UTC with milliseconds")
    func text() {
        #expect(Timestamp(millisecondsSince1970: 0).text == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSince1970: 1_795_000_000_001).text == "2026-11-18T11:06:40.001Z")
        #expect(Timestamp(millisecondsSince1970: 951_782_400_999).text == "2000-02-29T00:00:00.999Z")
    }

    @Test("text and back gives the same instant, to the millisecond")
    func roundTrip() {
        var random = SeededRandom(seed: 99)
        for _ in 0..<5_000 {
            let instant = Timestamp(millisecondsSince1970: Int64.random(in: 0...4_102_444_800_000, using: &random))
            #expect(Timestamp(text: instant.text) == instant, "\(instant.millisecondsSince1970) → \(instant.text)")
        }
        #expect(Timestamp(text: "2026-11-18T11:06:40Z") == Timestamp(millisecondsSince1970: 1_795_000_000_000))
        #expect(Timestamp(text: "not a date") == nil)
    }
}
