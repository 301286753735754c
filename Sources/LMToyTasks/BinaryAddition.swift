import LMData

/// Binary addition, as in the NumPy "RNN from scratch" tutorial: add two `bits`-bit numbers
/// read least significant bit first, one bit of each per step.
///
/// Each sample draws `a` and `b` uniformly from `0..<2^bits` and spans `bits + 1` steps (the
/// inputs padded with a 0 step so the carry fits). Per step `k` the inputs are bit `k` of `a`
/// and of `b`, and the target is bit `k` of `a + b` (a `bits + 1`-bit number), as 0/1 labels.
/// Deterministic for a generator state: draws are `a` then `b` for each sample.
public struct BinaryAddition: Sendable, Equatable {
    /// Number of samples.
    public let count: Int
    /// Bits per operand (`n`); each sample has `n + 1` steps.
    public let bits: Int
    /// Steps per sample, `bits + 1`.
    public var steps: Int { bits + 1 }
    /// Inputs, `count × steps × 2` row-major: `inputs[(s·steps + k)·2 + j]` is bit `k` of
    /// operand `j` (0 for `a`, 1 for `b`) of sample `s`; 0 or 1.
    public let inputs: [Float]
    /// Targets, `count × steps` row-major: bit `k` of `a + b`; 0 or 1.
    public let targets: [Float]
    /// The first operands, `count`.
    public let a: [UInt64]
    /// The second operands, `count`.
    public let b: [UInt64]

    /// Generates the dataset from a fresh ``RandomGenerator`` seeded with `seed`.
    public init(count: Int, bits: Int, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        try self.init(count: count, bits: bits, generator: &generator)
    }

    /// Generates `count` samples of `bits`-bit additions.
    /// - Throws: ``ToyTaskError/invalidParameter(_:)`` unless `count >= 1` and `1 <= bits <= 62`.
    public init(count: Int, bits: Int, generator: inout RandomGenerator) throws {
        guard count >= 1 else {
            throw ToyTaskError.invalidParameter("binary addition needs at least 1 sample (got \(count))")
        }
        guard (1...62).contains(bits) else {
            throw ToyTaskError.invalidParameter("binary addition supports 1...62 bits per operand (got \(bits))")
        }
        self.count = count
        self.bits = bits
        let steps = bits + 1
        var inputs = [Float](repeating: 0, count: count * steps * 2)
        var targets = [Float](repeating: 0, count: count * steps)
        var firsts = [UInt64](repeating: 0, count: count)
        var seconds = [UInt64](repeating: 0, count: count)
        let limit = 1 << bits
        for s in 0..<count {
            let x = UInt64(generator.next(below: limit))
            let y = UInt64(generator.next(below: limit))
            let sum = x + y
            for k in 0..<steps {
                inputs[(s * steps + k) * 2] = Float((x >> UInt64(k)) & 1)
                inputs[(s * steps + k) * 2 + 1] = Float((y >> UInt64(k)) & 1)
                targets[s * steps + k] = Float((sum >> UInt64(k)) & 1)
            }
            firsts[s] = x
            seconds[s] = y
        }
        self.inputs = inputs
        self.targets = targets
        self.a = firsts
        self.b = seconds
    }
}
