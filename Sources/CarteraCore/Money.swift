/// An amount of money: an integer number of minor units (centavos for MXN) and its currency.
///
/// Money never passes through floating point. Arithmetic is checked: the operators `+`, `-` and unary `-` trap on
/// overflow or on mixed currencies (programming errors), while `adding(_:)`, `subtracting(_:)`,
/// `multiplied(by:)` and `scaled(by:over:rounding:)` throw `MoneyError` for values that come from outside.
public struct Money: Sendable, Hashable, Codable {
    /// The amount in minor units of `currency` (centavos for MXN). May be negative.
    public let minorUnits: Int64
    /// The currency of the amount.
    public let currency: Currency

    /// Creates an amount from minor units (centavos for MXN).
    @inlinable public init(minorUnits: Int64, currency: Currency = .mxn) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Creates a peso amount from centavos.
    @inlinable public static func mxn(centavos: Int64) -> Money { Money(minorUnits: centavos, currency: .mxn) }

    /// Zero in the given currency.
    @inlinable public static func zero(_ currency: Currency = .mxn) -> Money { Money(minorUnits: 0, currency: currency) }

    @inlinable public static func == (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits == rhs.minorUnits && lhs.currency == rhs.currency }
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(minorUnits)
        hasher.combine(currency)
    }

    @inlinable public var isZero: Bool { minorUnits == 0 }
    @inlinable public var isNegative: Bool { minorUnits < 0 }
    @inlinable public var isPositive: Bool { minorUnits > 0 }

    // MARK: Checked arithmetic

    /// The sum, or `MoneyError.overflow` / `.currencyMismatch`.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (value, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        if overflow { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    /// The difference, or `MoneyError.overflow` / `.currencyMismatch`.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (value, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        if overflow { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    /// The amount times an integer factor, or `MoneyError.overflow`.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (value, overflow) = minorUnits.multipliedReportingOverflow(by: factor)
        if overflow { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    /// `self × numerator / denominator`, rounded once with `rounding`.
    ///
    /// This is how rates are applied: a rate is kept as an exact fraction (for example 58 % annual over 360 days for
    /// 31 days is `58 × 31 / (100 × 360)`), the product is computed exactly in 128 bits and rounded a single time.
    public func scaled(by numerator: Int64, over denominator: Int64, rounding: RoundingMode) throws(MoneyError) -> Money {
        if denominator == 0 { throw .divisionByZero }
        let product = Int128(minorUnits) * Int128(numerator)
        let result = rounding.divide(product, by: Int128(denominator))
        guard let value = Int64(exactly: result) else { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    /// The amount with its sign changed, or `MoneyError.overflow` for `Int64.min`.
    public func negated() throws(MoneyError) -> Money {
        let (value, overflow) = Int64(0).subtractingReportingOverflow(minorUnits)
        if overflow { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    /// The sum of amounts in one currency; `zero(currency)` for an empty sequence.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency = .mxn) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    private func requireSameCurrency(_ other: Money) throws(MoneyError) {
        if other.currency != currency { throw .currencyMismatch(currency.code, other.currency.code) }
    }

    // MARK: Trapping operators (for amounts already known to be in range)
    // Inlinable: they sit in every loop of a loan's replay. The failure path is out of line.

    @inlinable public static func + (lhs: Money, rhs: Money) -> Money {
        let (value, overflow) = lhs.minorUnits.addingReportingOverflow(rhs.minorUnits)
        if overflow || lhs.currency != rhs.currency { trap(lhs, rhs, overflow: overflow) }
        return Money(minorUnits: value, currency: lhs.currency)
    }

    @inlinable public static func - (lhs: Money, rhs: Money) -> Money {
        let (value, overflow) = lhs.minorUnits.subtractingReportingOverflow(rhs.minorUnits)
        if overflow || lhs.currency != rhs.currency { trap(lhs, rhs, overflow: overflow) }
        return Money(minorUnits: value, currency: lhs.currency)
    }

    @inlinable public static prefix func - (value: Money) -> Money {
        let (negated, overflow) = Int64(0).subtractingReportingOverflow(value.minorUnits)
        if overflow { trap(value, value, overflow: true) }
        return Money(minorUnits: negated, currency: value.currency)
    }

    @inlinable public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    /// Stops the program for an operator misused on amounts not known to be in range (a programming error).
    @usableFromInline static func trap(_ lhs: Money, _ rhs: Money, overflow: Bool) -> Never {
        let error: MoneyError = lhs.currency != rhs.currency ? .currencyMismatch(lhs.currency.code, rhs.currency.code) : .overflow
        preconditionFailure(error.message)
    }
}

extension Money: Comparable {
    /// Orders by amount within a currency; amounts in different currencies are ordered by currency code first, so
    /// sorting mixed input never traps (it groups by currency instead of comparing values across currencies).
    @inlinable public static func < (lhs: Money, rhs: Money) -> Bool {
        if lhs.currency != rhs.currency { return lhs.currency.code < rhs.currency.code }
        return lhs.minorUnits < rhs.minorUnits
    }
}
