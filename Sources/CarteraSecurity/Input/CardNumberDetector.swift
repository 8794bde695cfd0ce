import CarteraCore

/// Finds payment-card numbers in free text, so that Cartera never stores one.
///
/// A card number here is a run of 13 to 19 digits — possibly grouped with single spaces or hyphens, as people type
/// them — whose Luhn check digit is valid. Only whole runs count: a longer number (say a 20-digit reference) is not a
/// card, and identifier fields (CLABE, phone) are validated by their own rules, not by this detector.
public enum CardNumberDetector {
    /// Why a text was refused.
    public struct Rejected: CarteraError {
        public init() {}
        public var code: String { "card_number_in_text" }
        public var message: String {
            "El texto parece contener un número de tarjeta. Por seguridad Cartera no guarda números de tarjeta: "
                + "elimínelo y, si se trata de un pago con tarjeta, regístrelo desde la pasarela de pagos."
        }
    }

    /// Throws `Rejected` when `text` contains a card number.
    public static func check(_ text: String) throws(Rejected) {
        if containsCardNumber(text) { throw Rejected() }
    }

    /// Whether `text` contains a Luhn-valid run of 13–19 digits.
    public static func containsCardNumber(_ text: String) -> Bool {
        var digits: [Int] = []
        var previousWasSeparator = false
        func endRun() -> Bool {
            defer { digits.removeAll(keepingCapacity: true) }
            return (13...19).contains(digits.count) && luhnValid(digits)
        }
        for character in text {
            if character.isASCII, let digit = character.wholeNumberValue {
                digits.append(digit)
                previousWasSeparator = false
            } else if (character == " " || character == "-") && !digits.isEmpty && !previousWasSeparator {
                previousWasSeparator = true  // one separator inside a run keeps it going
            } else {
                if endRun() { return true }
                previousWasSeparator = false
            }
        }
        return endRun()
    }

    /// The Luhn (mod 10) check used by every card scheme.
    public static func luhnValid(_ digits: [Int]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
