/// A reusable (X, Y) minibatch of token ids: `batchSize × steps`, row-major.
///
/// `inputs[row * steps + t]` is the input id of row `row` at time step `t`, and
/// `targets[row * steps + t]` the id that follows it in the stream (Y is X shifted by one).
/// Samplers overwrite a batch in place, so keep one `Batch` and pass it to every
/// ``Sampler/next(into:)`` call: after the first call nothing is allocated. (Holding a copy of
/// the batch between calls makes the next write copy the arrays — copy-on-write.)
public struct Batch: Sendable, Equatable {
    /// Number of rows (parallel sequences).
    public private(set) var batchSize: Int
    /// Number of time steps per row (the row stride of ``inputs`` and ``targets``).
    public private(set) var steps: Int
    /// Input ids, `batchSize × steps`, row-major.
    public internal(set) var inputs: [Int32]
    /// Target ids (the next token of each input), `batchSize × steps`, row-major.
    public internal(set) var targets: [Int32]
    /// Columns `0..<filledSteps` hold data. Always ``steps`` except for the last batch of a
    /// non-repeating ``ParallelSequentialSampler`` pass, which may stop part-way; the columns
    /// after it then keep stale values from the previous batch.
    public internal(set) var filledSteps: Int

    /// A zero-filled batch of the given shape.
    public init(batchSize: Int, steps: Int) {
        precondition(batchSize >= 0 && steps >= 0, "batch shape must be non-negative")
        self.batchSize = batchSize
        self.steps = steps
        self.inputs = [Int32](repeating: 0, count: batchSize * steps)
        self.targets = [Int32](repeating: 0, count: batchSize * steps)
        self.filledSteps = steps
    }

    /// An empty batch, shaped by the first ``Sampler/next(into:)`` call.
    public init() { self.init(batchSize: 0, steps: 0) }

    /// The input id of `row` at step `t`.
    @inlinable public func input(row: Int, step t: Int) -> Int32 { inputs[row * steps + t] }

    /// The target id of `row` at step `t`.
    @inlinable public func target(row: Int, step t: Int) -> Int32 { targets[row * steps + t] }

    /// Reshapes to `batchSize × steps`, reallocating only when the shape changes.
    @usableFromInline
    mutating func reshape(batchSize: Int, steps: Int) {
        filledSteps = steps
        guard batchSize != self.batchSize || steps != self.steps else { return }
        self = Batch(batchSize: batchSize, steps: steps)
    }

    /// Calls `body` with mutable pointers to the inputs and targets.
    @usableFromInline
    mutating func withBuffers<R>(
        _ body: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> R
    ) -> R {
        inputs.withUnsafeMutableBufferPointer { x in
            targets.withUnsafeMutableBufferPointer { y in
                // Samplers validate batchSize, steps >= 1, so the arrays are never empty here.
                body(x.baseAddress!, y.baseAddress!)
            }
        }
    }
}
