import CarteraCore
import Foundation
@testable import Integrations
import Testing

@Suite("Reading providers' JSON")
struct JSONFieldsTests {
    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("Amounts read from their decimal text, never through floating point; absurd magnitudes read as absent, so nothing overflows")
    func amounts() {
        let answer = Self.object(#"{"a":"1250.50","b":0.1,"c":92233720368547758.07,"d":"-92233720368547758.08","e":1e20,"f":12.345,"g":{"h":7}}"#)
        #expect(JSONFields.pesos(answer, "a") == .mxn(centavos: 125_050))
        #expect(JSONFields.pesos(answer, "b") == .mxn(centavos: 10))
        #expect(JSONFields.pesos(answer, "c") == nil)
        #expect(JSONFields.pesos(answer, "d") == nil)
        #expect(JSONFields.pesos(answer, "e") == nil)
        #expect(JSONFields.integer(answer, "e") == nil)
        #expect(JSONFields.integer(answer, "g", "h") == 7)
        #expect(JSONFields.integer(Self.object(#"{"x":1000000000000000}"#), "x") == 1_000_000_000_000_000)
        #expect(JSONFields.integer(Self.object(#"{"x":1000000000000001}"#), "x") == nil)
        #expect(JSONFields.integer(Self.object(#"{"x":-9223372036854775808}"#), "x") == nil)
    }
}
