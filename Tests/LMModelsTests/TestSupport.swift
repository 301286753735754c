import LMData

/// A small seeded generator for reproducible test data (SplitMix64, the step LMData seeds its generator with).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 { RandomGenerator.splitMix64(&state) }
}

func randomArray(_ n: Int, in range: ClosedRange<Double>, _ rng: inout SplitMix64) -> [Double] {
    (0..<n).map { _ in Double.random(in: range, using: &rng) }
}

func randomTokens(_ n: Int, vocabulary: Int, _ rng: inout SplitMix64) -> [Int32] {
    (0..<n).map { _ in Int32.random(in: 0..<Int32(vocabulary), using: &rng) }
}
