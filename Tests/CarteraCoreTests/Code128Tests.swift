@testable import CarteraCore
import Testing

@Suite("Code 128 barcodes")
struct Code128Tests {
    /// Bars as python-barcode 0.15 draws them (`Code128(text).build()[0]`): an independent implementation.
    static let golden: [(String, String)] = [
        ("12345678901234", "1101001110010110011100100010110001110001011011000010100110111101101011001110010001011000111101001001100011101011"),
        ("PAGO-42", "1101001000011101110110101000110001101000100010001110110100110111001100100111011001110010110010001001100011101011"),
        ("AB", "110100100001010001100010001011000111101011101100011101011"),
    ]

    @Test("Modules match an independent encoder: code set C for digits, B otherwise", arguments: golden)
    func modules(text: String, bars: String) {
        #expect(Code128.modules(text).map { $0.map { $0 ? "1" : "0" }.joined() } == bars)
    }

    @Test("The check symbol is the weighted sum modulo 103 (AB: 104 + 1·33 + 2·34 = 205 → 102)")
    func checkSymbol() {
        #expect(Code128.values("AB") == [104, 33, 34, 102])
        #expect(Code128.values("1234") == [105, 12, 34, (105 + 12 + 2 * 34) % 103])
    }

    @Test("Every symbol is eleven modules wide (the stop thirteen); text it cannot encode gives nil")
    func table() {
        for (value, pattern) in Code128.patterns.enumerated() {
            #expect(pattern.compactMap(\.wholeNumberValue).reduce(0, +) == (value == 106 ? 13 : 11))
        }
        #expect(Set(Code128.patterns).count == 107)
        #expect(Code128.values("") == nil && Code128.values("ñ") == nil)
        #expect(Code128.svg("12345678901234")?.contains("<rect x=\"20\"") == true)
    }
}
