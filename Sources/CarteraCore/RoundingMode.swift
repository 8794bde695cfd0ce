/// How a quotient that is not exact is turned into an integer number of minor units.
///
/// The names follow `java.math.RoundingMode`, which Fineract uses for its tenant-wide setting:
/// `up` and `down` are away from and towards zero; `ceiling` and `floor` are towards +∞ and −∞;
/// the `half…` modes round to the nearest integer and differ only on an exact tie.
public enum RoundingMode: String, Sendable, Hashable, Codable, CaseIterable {
    case up
    case down
    case ceiling
    case floor
    case halfUp
    case halfDown
    case halfEven

    /// Divides `dividend` by `divisor` and rounds the quotient to an integer with this mode.
    ///
    /// Exact for every input: the arithmetic is integer arithmetic on `Int128`.
    /// - Precondition: `divisor != 0`.
    public func divide(_ dividend: Int128, by divisor: Int128) -> Int128 {
        precondition(divisor != 0, "division by zero")
        let quotient = dividend / divisor  // truncated towards zero
        let remainder = dividend % divisor  // same sign as dividend
        if remainder == 0 { return quotient }
        let positive = (dividend < 0) == (divisor < 0)
        let awayFromZero: Int128 = positive ? quotient + 1 : quotient - 1
        let twiceRemainder = remainder.magnitude * 2
        let divisorMagnitude = divisor.magnitude
        switch self {
        case .down:
            return quotient
        case .up:
            return awayFromZero
        case .ceiling:
            return positive ? awayFromZero : quotient
        case .floor:
            return positive ? quotient : awayFromZero
        case .halfUp:
            return twiceRemainder >= divisorMagnitude ? awayFromZero : quotient
        case .halfDown:
            return twiceRemainder > divisorMagnitude ? awayFromZero : quotient
        case .halfEven:
            if twiceRemainder > divisorMagnitude { return awayFromZero }
            if twiceRemainder < divisorMagnitude { return quotient }
            return quotient % 2 == 0 ? quotient : awayFromZero
        }
    }

    /// Spanish name for reports and screens.
    public var displayName: String {
        switch self {
        case .up: "Hacia arriba (alejándose de cero)"
        case .down: "Truncar (hacia cero)"
        case .ceiling: "Hacia +infinito"
        case .floor: "Hacia −infinito"
        case .halfUp: "Al más cercano, empates hacia arriba"
        case .halfDown: "Al más cercano, empates hacia abajo"
        case .halfEven: "Al más cercano, empates al par (bancario)"
        }
    }
}
