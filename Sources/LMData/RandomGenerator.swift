import Foundation

/// The project's one seeded pseudo-random generator.
///
/// **Algorithm.** xoshiro256** (Blackman & Vigna, 2018) over a 256-bit state of four `UInt64`
/// words; each output is `rotl(s1 &* 5, 7) &* 9` followed by the xoshiro256 state update.
/// A 64-bit seed is expanded into the four state words by four successive outputs of
/// SplitMix64 (Steele, Lea & Flood, 2014; increment `0x9E3779B97F4A7C15`), which never
/// yields the forbidden all-zero state in practice and decorrelates nearby seeds.
///
/// **Derived draws** (all defined here so results do not depend on the standard library's
/// unspecified algorithms, which may change between Swift releases):
/// - ``next(below:)``: Lemire's multiply-and-reject method — uniform, no modulo bias;
/// - ``nextDouble()``: the top 53 bits scaled by 2⁻⁵³, uniform in [0, 1);
/// - ``nextFloat()``: the top 24 bits scaled by 2⁻²⁴, uniform in [0, 1);
/// - ``nextNormal(mean:deviation:)``: Box–Muller's cosine branch over two ``nextDouble()`` draws;
/// - ``shuffle(_:)``: Fisher–Yates from the last element down (as Python's `random.shuffle`).
///
/// **State.** The generator is a value: copying it forks an identical stream. It is
/// `Codable` (the four words as 16-digit hexadecimal strings, exact in any JSON reader), so a
/// checkpoint restores it exactly. Use ``fork()`` to derive an independent generator for
/// another consumer (sampler, initializer, …) from one project seed.
///
/// It also conforms to `RandomNumberGenerator`, but prefer the methods above: the standard
/// library's `shuffle(using:)` and `random(in:using:)` are not guaranteed stable across releases.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The four state words `s0…s3`. Never all zero.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the generator: the state is four successive SplitMix64 outputs started at `seed`.
    public init(seed: UInt64) {
        var sm = seed
        state = (Self.splitMix64(&sm), Self.splitMix64(&sm), Self.splitMix64(&sm), Self.splitMix64(&sm))
    }

    /// Restores a generator from explicit state words (as saved by ``state``).
    /// - Throws: ``RandomGeneratorError/zeroState`` when all four words are zero
    ///   (xoshiro would then output zeros forever).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) throws {
        guard state != (0, 0, 0, 0) else { throw RandomGeneratorError.zeroState }
        self.state = state
    }

    /// One SplitMix64 step: advances `x` by the golden-ratio increment and returns the mixed value.
    @inlinable
    public static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 uniformly distributed bits (xoshiro256**).
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire 2019: multiply the
    /// 64-bit draw by `bound`, keep the high word, reject the few low words below
    /// `2⁶⁴ mod bound`). Consumes one draw except on the rare rejection.
    /// - Precondition: `bound > 0`.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.next(below:) needs a positive bound, got \(bound)")
        let n = UInt64(bound)
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// A uniform integer in the closed range `low...high` (both ends included, as Python's
    /// `random.randint`).
    public mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform `Double` in [0, 1): the top 53 bits of one draw times 2⁻⁵³.
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform `Float` in [0, 1): the top 24 bits of one draw times 2⁻²⁴.
    @inline(__always)
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A normal draw N(`mean`, `deviation`²) by Box–Muller: with u₁, u₂ two ``nextDouble()``
    /// draws, `mean + deviation · √(−2 ln(1 − u₁)) · cos(2π u₂)` (1 − u₁ lies in (0, 1], so the
    /// logarithm is finite). Consumes two draws.
    public mutating func nextNormal(mean: Double, deviation: Double) -> Double {
        let u1 = nextDouble(), u2 = nextDouble()
        let radius = (-2 * Foundation.log(1 - u1)).squareRoot()
        return mean + deviation * radius * Foundation.cos(2 * Double.pi * u2)
    }

    /// A uniform `Float` in [low, high): `low + (high − low) · u` with `u` from ``nextFloat()``,
    /// clamped below `high` against rounding.
    public mutating func nextFloat(low: Float, high: Float) -> Float {
        let x = low + (high - low) * nextFloat()
        return x < high ? x : high.nextDown
    }

    /// Shuffles `buffer` in place with Fisher–Yates: for `i` from `count − 1` down to 1, swap
    /// element `i` with element `next(below: i + 1)`. Uses `count − 1` bounded draws.
    public mutating func shuffle<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        var i = buffer.count - 1
        while i > 0 {
            let j = next(below: i + 1)
            buffer.swapAt(i, j)
            i -= 1
        }
    }

    /// Shuffles an array in place (see ``shuffle(_:)-(UnsafeMutableBufferPointer<T>)``).
    public mutating func shuffle<T>(_ array: inout [T]) {
        array.withUnsafeMutableBufferPointer { shuffle($0) }
    }

    /// Derives an independent generator for another consumer: one draw from `self` seeds a
    /// new generator through SplitMix64. Deterministic: the same parent state gives the same child.
    public mutating func fork() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    // MARK: Hashable, Codable

    /// Generators are equal when their states are: they will produce the same draws.
    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.state == b.state }

    /// Hashes the four state words.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }

    private enum CodingKeys: String, CodingKey { case algorithm, state }

    /// The algorithm name written with the state, checked on decoding.
    public static let algorithmName = "xoshiro256**"

    /// Writes `{"algorithm": "xoshiro256**", "state": [four 16-digit hex words]}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.algorithmName, forKey: .algorithm)
        try c.encode([state.0, state.1, state.2, state.3].map(Self.hex), forKey: .state)
    }

    /// Reads what ``encode(to:)`` writes; throws ``RandomGeneratorError`` for another algorithm or
    /// a malformed or all-zero state.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let algorithm = try c.decode(String.self, forKey: .algorithm)
        guard algorithm == Self.algorithmName else {
            throw RandomGeneratorError.unknownAlgorithm(algorithm)
        }
        let words = try c.decode([String].self, forKey: .state)
        guard words.count == 4 else { throw RandomGeneratorError.malformedState(words) }
        var parsed: [UInt64] = []
        for w in words {
            guard let v = UInt64(w, radix: 16) else { throw RandomGeneratorError.malformedState(words) }
            parsed.append(v)
        }
        try self.init(state: (parsed[0], parsed[1], parsed[2], parsed[3]))
    }

    private static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
