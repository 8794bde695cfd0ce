/// An ISO 4217 currency with the number of decimal places of its minor unit.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Three-letter ISO 4217 code, e.g. `MXN`.
    public let code: String
    /// Decimal places of the minor unit (2 for MXN and USD: the minor unit is the centavo / cent).
    public let minorUnitDigits: Int

    /// Mexican peso; the currency of every loan in Cartera.
    public static let mxn = Currency(uncheckedCode: "MXN", minorUnitDigits: 2)
    /// US dollar; used for PLD thresholds and foreign-currency payments.
    public static let usd = Currency(uncheckedCode: "USD", minorUnitDigits: 2)
    /// Unidad de Inversión (Banxico), quoted with six decimals.
    public static let udi = Currency(uncheckedCode: "UDI", minorUnitDigits: 6)

    /// The currencies Cartera knows by code.
    public static let known: [String: Currency] = ["MXN": .mxn, "USD": .usd, "UDI": .udi]

    private init(uncheckedCode: String, minorUnitDigits: Int) {
        self.code = uncheckedCode
        self.minorUnitDigits = minorUnitDigits
    }

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
