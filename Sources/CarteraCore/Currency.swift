/// An ISO 4217 currency with the number of decimal places of its minor unit.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Index into `table`: a currency is one byte, so `Money` is a plain value (no reference counting, equality is one
    /// comparison) — money arithmetic sits in every loop of a loan's replay.
    private let index: UInt8

    private static let table: [(code: String, digits: Int)] = [("MXN", 2), ("USD", 2), ("UDI", 6)]

    /// Three-letter ISO 4217 code, e.g. `MXN`.
    public var code: String { Self.table[Int(index)].code }
    /// Decimal places of the minor unit (2 for MXN and USD: the minor unit is the centavo / cent).
    public var minorUnitDigits: Int { Self.table[Int(index)].digits }

    /// Mexican peso; the currency of every loan in Cartera.
    public static let mxn = Currency(index: 0)
    /// US dollar; used for PLD thresholds and foreign-currency payments.
    public static let usd = Currency(index: 1)
    /// Unidad de Inversión (Banxico), quoted with six decimals.
    public static let udi = Currency(index: 2)

    private init(index: UInt8) { self.index = index }

    /// The currencies Cartera knows by code.
    public static let known: [String: Currency] = ["MXN": .mxn, "USD": .usd, "UDI": .udi]

    /// Looks up a known currency by its code (case-insensitive); `nil` when Cartera does not handle it.
    public init?(code: String) {
        guard let currency = Currency.known[code.uppercased()] else { return nil }
        self = currency
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
