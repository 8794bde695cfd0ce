/// Why an operation on `Money` could not produce a value.
public enum MoneyError: CarteraError, Equatable {
    /// The result does not fit in `Int64` minor units.
    case overflow
    /// The two amounts are in different currencies.
    case currencyMismatch(String, String)
    /// The text is not an amount; the associated value is the text.
    case invalidFormat(String)
    /// The text has more decimals than the currency's minor unit allows.
    case tooManyDecimals(String, allowed: Int)
    /// The text names a currency that is not the expected one.
    case unexpectedCurrency(found: String, expected: String)
    /// A division by zero was requested.
    case divisionByZero

    public var code: String {
        switch self {
        case .overflow: "money_overflow"
        case .currencyMismatch: "currency_mismatch"
        case .invalidFormat: "money_invalid_format"
        case .tooManyDecimals: "money_too_many_decimals"
        case .unexpectedCurrency: "money_unexpected_currency"
        case .divisionByZero: "money_division_by_zero"
        }
    }

    public var message: String {
        switch self {
        case .overflow:
            "El importe excede el máximo que el sistema puede representar."
        case .currencyMismatch(let a, let b):
            "No se pueden combinar importes en monedas distintas (\(a) y \(b))."
        case .invalidFormat(let text):
            "«\(text)» no es un importe válido. Escriba el importe como 1,234.56 o $1,234.56 MXN."
        case .tooManyDecimals(let text, let allowed):
            "«\(text)» tiene más de \(allowed) decimales. Redondee el importe a \(allowed) decimales."
        case .unexpectedCurrency(let found, let expected):
            "El importe está en \(found), pero se esperaba \(expected)."
        case .divisionByZero:
            "No se puede dividir un importe entre cero."
        }
    }
}
