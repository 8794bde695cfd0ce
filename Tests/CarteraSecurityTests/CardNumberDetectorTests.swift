import CarteraSecurity
import Testing

@Suite("Card numbers in free text")
struct CardNumberDetectorTests {
    @Test("published test card numbers are found, however they are typed", arguments: [
        "4111111111111111",  // Visa test number
        "Pago con 4111 1111 1111 1111 ayer",
        "tarjeta: 5555-5555-5555-4444",  // Mastercard test number
        "378282246310005",  // American Express test number (15 digits)
        "6011111111111117",  // Discover test number
        "4222222222222",  // 13-digit Visa test number
    ])
    func found(text: String) {
        #expect(CardNumberDetector.containsCardNumber(text))
        #expect(throws: CardNumberDetector.Rejected.self) { try CardNumberDetector.check(text) }
    }

    @Test("ordinary text and other numbers pass", arguments: [
        "Cliente pagará el viernes 15",
        "4111111111111112",  // Luhn-invalid
        "Referencia 12345678901234567890123",  // 23 digits: not a card
        "Tel. 55 1234 5678",
        "411111111111",  // 12 digits
        "4111  1111 1111 1111",  // two spaces break the run into short pieces
    ])
    func passes(text: String) {
        #expect(!CardNumberDetector.containsCardNumber(text))
    }

    @Test("Luhn agrees with the published examples")
    func luhn() {
        #expect(CardNumberDetector.luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]))  // the Wikipedia example 79927398713
        #expect(!CardNumberDetector.luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]))
    }
}
