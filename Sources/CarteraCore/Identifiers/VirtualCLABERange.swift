import Foundation

/// The CLABEs a lender hands out, one per loan, so that a SPEI deposit names its loan: a prefix the lender's SPEI
/// participant assigned it (bank 3 digits, plaza 3, then the lender's own digits — STP: `646180` + the company's
/// prefix) followed by a consecutive number and the check digit.
public struct VirtualCLABERange: Sendable, Hashable, CustomStringConvertible {
    /// 6 to 14 digits: what every CLABE of the range starts with.
    public let prefix: String

    /// A refused prefix, in Spanish.
    public struct Refusal: CarteraError, Equatable {
        public let code: String
        public let message: String
    }

    /// Checks `prefix`: digits only, 6 to 14 of them, and a bank that is a SPEI participant.
    public init(prefix text: String, catalog: BankCatalog = .bundled) throws(Refusal) {
        let prefix = text.trimmingCharacters(in: .whitespaces)
        guard (6...14).contains(prefix.count), prefix.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Refusal(
                code: "clabe_prefix_invalid",
                message: "El prefijo de CLABE «\(text)» debe tener de 6 a 14 dígitos: banco (3), plaza (3) y los dígitos que el participante SPEI asignó a la financiera."
            )
        }
        guard catalog.participant(forPrefix: String(prefix.prefix(3))) != nil else {
            throw Refusal(code: "clabe_prefix_bank_unknown", message: "El prefijo de CLABE «\(prefix)» no empieza con un banco participante de SPEI.")
        }
        self.prefix = prefix
    }

    /// How many CLABEs the range holds (numbers 1 to `capacity - 1`; 0 is never handed out).
    public var capacity: Int64 {
        var value: Int64 = 1
        for _ in 0..<(17 - prefix.count) { value *= 10 }
        return value
    }

    /// The CLABE with number `number` in the range; nil outside 1..<capacity.
    public func clabe(number: Int64) -> String? {
        guard number > 0, number < capacity else { return nil }
        let digits = String(number)
        let body = prefix + String(repeating: "0", count: 17 - prefix.count - digits.count) + digits
        guard let check = CLABE.checkDigit(for: body) else { return nil }
        return body + String(check)
    }

    /// The number of a CLABE of this range (check digit right); nil for any other.
    public func number(of clabe: String) -> Int64? {
        // Byte by byte (this runs for every 18-digit number in every statement line).
        let bytes = clabe.utf8
        guard bytes.count == 18, bytes.starts(with: prefix.utf8), let last = bytes.last, last >= 0x30, last <= 0x39,
              let check = CLABE.checkDigit(ascii: bytes.prefix(17)),
              Int(last - 0x30) == check else { return nil }
        var number: Int64 = 0
        for byte in bytes.dropFirst(prefix.utf8.count).prefix(17 - prefix.utf8.count) { number = number * 10 + Int64(byte - 0x30) }
        return number > 0 ? number : nil
    }

    public var description: String { prefix }
}
