/// An ISO 4217 currency with the number of decimal places of its minor unit.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Index into `table`: a currency is one byte, so `Money` is a plain value (no reference counting, equality is one
    /// comparison) — money arithmetic sits in every loop of a loan's replay.
    @usableFromInline let index: UInt8

    private static let table: [(code: String, digits: Int)] = [("MXN", 2), ("USD", 2), ("UDI", 6)]

    /// Three-letter ISO 4217 code, e.g. `MXN`.
    public var code: String { Self.table[Int(index)].code }
    /// Decimal places of the minor unit (2 for MXN and USD: the minor unit is the centavo / cent).
    public var minorUnitDigits: Int { Self.table[Int(index)].digits }

    /// Mexican peso; the currency of every loan in Cartera.
    @inlinable public static var mxn: Currency { Currency(index: 0) }
    /// US dollar; used for PLD thresholds and foreign-currency payments.
    @inlinable public static var usd: Currency { Currency(index: 1) }
    /// Unidad de Inversión (Banxico), quoted with six decimals.
    @inlinable public static var udi: Currency { Currency(index: 2) }

    @usableFromInline init(index: UInt8) { self.index = index }

    @inlinable public static func == (lhs: Currency, rhs: Currency) -> Bool { lhs.index == rhs.index }
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(index) }

    /// The currencies Cartera knows by code.
    public static let known: [String: Currency] = ["MXN": .mxn, "USD": .usd, "UDI": .udi]

    /// Looks up a known currency by its code (case-insensitive); `nil` when Cartera does not handle it.
    public init?(code: String) {
        guard let currency = Currency.known[code.uppercased()] else { return nil }
        self = currency
    }

    /// The known currency whose upper-case code is exactly `bytes` (UTF-8), without making a string: stored documents
    /// are read in bulk with this.
    public init?(codeBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 3 else { return nil }
        switch (bytes[0], bytes[1], bytes[2]) {
        case (UInt8(ascii: "M"), UInt8(ascii: "X"), UInt8(ascii: "N")): self = .mxn
        case (UInt8(ascii: "U"), UInt8(ascii: "S"), UInt8(ascii: "D")): self = .usd
        case (UInt8(ascii: "U"), UInt8(ascii: "D"), UInt8(ascii: "I")): self = .udi
        default: return nil
        }
    }

    /// `10^minorUnitDigits`: minor units in one major unit.
    public var minorUnitsPerUnit: Int64 {
        var value: Int64 = 1
        for _ in 0..<minorUnitDigits { value *= 10 }
        return value
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Moneda no soportada: \(code)")
        }
        self = currency
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
