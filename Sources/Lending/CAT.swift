import Foundation
/// The Costo Anual Total (Banxico): the effective annual rate *i* that equates disbursements and payments,
/// Σ Aⱼ/(1+i)^tⱼ = Σ Bₖ/(1+i)^sₖ, with times in years, IVA excluded, fees included
/// (`../shared/notes/mexico-rules.md` §1).
///
/// Solved in `Double` over the bracket [−0.9999, 1000]: the CAT is a published comparison figure with one decimal, not
/// an amount of money; the flows are converted from exact centavos.
public enum CAT {
    /// A cash flow: positive amount in centavos at a time in years.
    public struct Flow: Sendable, Hashable {
        public let centavos: Int64
        public let years: Double

        public init(centavos: Int64, years: Double) {
            self.centavos = centavos
            self.years = years
        }
    }

    /// The annual rate (0.573607 for 57.3607 %), or nil when the flows have no root in the bracket.
    ///
    /// Newton's method on x = ln(1+i), kept inside a shrinking bisection bracket: a handful of steps for ordinary loans,
    /// and never worse than bisection when Newton would leave the bracket.
    public static func rate(disbursements: [Flow], payments: [Flow]) -> Double? {
        let flows = disbursements.map { (amount: Double($0.centavos), years: $0.years) } + payments.map { (amount: -Double($0.centavos), years: $0.years) }
        // f(x) = Σ aⱼ·e^(−tⱼ·x), f′(x) = Σ −tⱼ·aⱼ·e^(−tⱼ·x).
        func evaluate(_ x: Double) -> (value: Double, slope: Double) {
            var value = 0.0
            var slope = 0.0
            for flow in flows {
                let term = flow.amount * exp(-flow.years * x)
                value += term
                slope -= flow.years * term
            }
            return (value, slope)
        }
        var low = log1p(-0.9999)
        var high = log1p(1000.0)
        let fLow = evaluate(low).value
        let fHigh = evaluate(high).value
        if fLow == 0 { return expm1(low) }
        if fHigh == 0 { return expm1(high) }
        guard fLow.sign != fHigh.sign else { return nil }
        let lowSign = fLow.sign
        var x = log1p(0.5)
        for _ in 0..<200 {
            let (value, slope) = evaluate(x)
            if value == 0 { return expm1(x) }
            if value.sign == lowSign { low = x } else { high = x }
            var next = slope != 0 ? x - value / slope : (low + high) / 2
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - x) < 1e-15 || high - low < 1e-15 { return expm1(next) }
            x = next
        }
        return expm1(x)
    }

    /// The published figure: percent with one decimal, rounded half up, −0.0 written as 0.0 (`"57.4"`).
    public static func published(_ rate: Double) -> String {
        let tenths = (rate * 1000).rounded(.toNearestOrAwayFromZero)
        let value = tenths == 0 ? 0 : Int64(tenths)
        let sign = value < 0 ? "-" : ""
        return "\(sign)\(abs(value) / 10).\(abs(value) % 10)"
    }
}


