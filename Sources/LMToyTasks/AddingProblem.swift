import LMData

/// The adding problem (Le, Jaitly & Hinton 2015, "A Simple Way to Initialize Recurrent
/// Networks of Rectified Linear Units"; the MinPy tutorial's generator).
///
/// Each of `count` samples is a sequence of `length` steps with two input features per step:
/// a value uniform in `[0, high)` and a mask that is 1 at exactly two distinct positions
/// (chosen uniformly) and 0 elsewhere. The label is the sum of the two marked values.
/// The sum of two independent uniforms on `[0, high)` has mean `high` and variance `high²/6`,
/// so always predicting `high` scores MSE `high²/6`; the literature quotes 0.1767 as the
/// chance baseline for `high = 1` (``referenceBaselineMSE``) — a model must beat it.
///
/// Draws per sample, in order: `length` values (``RandomGenerator/nextFloat(low:high:)``), then
/// the first marked position (`next(below: length)`) and the second (`next(below: length − 1)`,
/// shifted past the first) — deterministic for a generator state.
public struct AddingProblem: Sendable, Equatable {
    /// The MSE the literature gives as the chance baseline for `high = 1`.
    public static let referenceBaselineMSE: Float = 0.1767

    /// Number of samples (N).
    public let count: Int
    /// Steps per sample (T).
    public let length: Int
    /// Upper end (excluded) of the values.
    public let high: Float
    /// Inputs, `count × length × 2` row-major: `inputs[(n·length + t)·2]` is the value and
    /// `inputs[(n·length + t)·2 + 1]` the mask (0 or 1) of sample `n` at step `t`.
    public let inputs: [Float]
    /// Labels, `count`: the sum of sample `n`'s two marked values.
    public let labels: [Float]
    /// The marked positions of each sample, `count × 2` (first drawn, second drawn; distinct).
    public let markedPositions: [Int]

    /// Generates the dataset from a fresh ``RandomGenerator`` seeded with `seed`.
    public init(count: Int, length: Int, high: Float = 1, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        try self.init(count: count, length: length, high: high, generator: &generator)
    }

    /// The MSE of always predicting the label mean: `high²/6`.
    public var theoreticalChanceMSE: Float { high * high / 6 }

    /// Generates `count` samples of `length` steps.
    /// - Throws: ``ToyTaskError/invalidParameter(_:)`` unless `count >= 1`, `length >= 2`
    ///   (two distinct marks) and `high` is finite and positive.
    public init(count: Int, length: Int, high: Float = 1, generator: inout RandomGenerator) throws {
        guard count >= 1 else {
            throw ToyTaskError.invalidParameter("adding problem needs at least 1 sample (got \(count))")
        }
        guard length >= 2 else {
            throw ToyTaskError.invalidParameter(
                "adding problem needs sequences of at least 2 steps to mark two positions (got \(length))")
        }
        guard high.isFinite, high > 0 else {
            throw ToyTaskError.invalidParameter(
                "adding problem values are drawn from [0, high); high must be finite and positive (got \(high))")
        }
        self.count = count
        self.length = length
        self.high = high
        var inputs = [Float](repeating: 0, count: count * length * 2)
        var labels = [Float](repeating: 0, count: count)
        var marks = [Int](repeating: 0, count: count * 2)
        for n in 0..<count {
            let base = n * length * 2
            for t in 0..<length { inputs[base + 2 * t] = generator.nextFloat(low: 0, high: high) }
            let first = generator.next(below: length)
            var second = generator.next(below: length - 1)
            if second >= first { second += 1 }
            inputs[base + 2 * first + 1] = 1
            inputs[base + 2 * second + 1] = 1
            labels[n] = inputs[base + 2 * first] + inputs[base + 2 * second]
            marks[2 * n] = first
            marks[2 * n + 1] = second
        }
        self.inputs = inputs
        self.labels = labels
        self.markedPositions = marks
    }
}
