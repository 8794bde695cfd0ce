import CarteraCore
import CarteraTestSupport
import Testing

@Suite("Rounding modes")
struct RoundingModeTests {
    // The table of java.math.RoundingMode's documentation: inputs 5.5, 2.5, 1.6, 1.1, 1.0, -1.0, -1.1, -1.6, -2.5, -5.5
    // (as tenths over 10) and the expected integer for each mode.
    static let inputs: [Int128] = [55, 25, 16, 11, 10, -10, -11, -16, -25, -55]
    static let expected: [RoundingMode: [Int128]] = [
        .up: [6, 3, 2, 2, 1, -1, -2, -2, -3, -6],
        .down: [5, 2, 1, 1, 1, -1, -1, -1, -2, -5],
        .ceiling: [6, 3, 2, 2, 1, -1, -1, -1, -2, -5],
        .floor: [5, 2, 1, 1, 1, -1, -2, -2, -3, -6],
        .halfUp: [6, 3, 2, 1, 1, -1, -1, -2, -3, -6],
        .halfDown: [5, 2, 2, 1, 1, -1, -1, -2, -2, -5],
        .halfEven: [6, 2, 2, 1, 1, -1, -1, -2, -2, -6],
    ]

    @Test("matches the java.math.RoundingMode table", arguments: RoundingMode.allCases)
    func javaTable(mode: RoundingMode) {
        let results = Self.inputs.map { mode.divide($0, by: 10) }
        #expect(results == Self.expected[mode])
    }

    @Test("a negative divisor rounds like a negative dividend", arguments: RoundingMode.allCases)
    func negativeDivisor(mode: RoundingMode) {
        for input in Self.inputs {
            #expect(mode.divide(input, by: -10) == mode.divide(-input, by: 10))
        }
    }

    @Test("rounded quotients stay within one unit of the exact value")
    func boundedError() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<5_000 {
            let dividend = Int128(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random))
            let divisor = Int128(Int64.random(in: 1...100_000, using: &random))
            for mode in RoundingMode.allCases {
                let q = mode.divide(dividend, by: divisor)
                // |q × divisor − dividend| < divisor
                let error = q * divisor - dividend
                #expect(error.magnitude < divisor.magnitude)
                if dividend % divisor == 0 { #expect(q == dividend / divisor) }
            }
        }
    }
}
