/// A small deterministic generator (SplitMix64) so that property tests are reproducible from their seed.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func digit() -> Character { Character(String(Int.random(in: 0...9, using: &self))) }

    public mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in digit() }) }

    public mutating func element<T>(_ array: [T]) -> T { array[Int.random(in: 0..<array.count, using: &self)] }
}
