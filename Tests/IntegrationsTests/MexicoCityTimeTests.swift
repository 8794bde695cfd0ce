import CarteraCore
import Integrations
import Testing

@Suite("Mexico City local times as providers write them")
struct MexicoCityTimeTests {
    @Test("Written six hours behind UTC, across midnight, and read back with or without a zone")
    func roundTrip() {
        let instant = Timestamp(text: "2026-12-02T05:59:59.000Z")!
        #expect(MexicoCityTime.text(instant) == "2026-12-01T23:59:59")
        #expect(MexicoCityTime.parse("2026-12-01T23:59:59") == instant)
        #expect(MexicoCityTime.parse("2026-12-01T23:59:59.000-06:00") == instant)
        #expect(MexicoCityTime.text(Timestamp(text: "1969-12-31T12:00:00.000Z")!) == "1969-12-31T06:00:00")
        #expect(MexicoCityTime.parse("mañana") == nil)
    }
}
