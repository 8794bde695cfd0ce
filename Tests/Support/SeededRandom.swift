import CarteraCore

/// The deterministic generator of property tests, with helpers for identifiers.
public struct SeededRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { generator.next() }

    public mutating func digit() -> Character { Character(String(Int.random(in: 0...9, using: &self))) }

    public mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in digit() }) }

    public mutating func element<T>(_ array: [T]) -> T { array[Int.random(in: 0..<array.count, using: &self)] }
}
