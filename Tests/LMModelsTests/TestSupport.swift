/// A small seeded generator for reproducible test data (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomArray(_ n: Int, in range: ClosedRange<Double>, _ rng: inout SplitMix64) -> [Double] {
    (0..<n).map { _ in Double.random(in: range, using: &rng) }
}

func randomTokens(_ n: Int, vocabulary: Int, _ rng: inout SplitMix64) -> [Int32] {
    (0..<n).map { _ in Int32.random(in: 0..<Int32(vocabulary), using: &rng) }
}
