/// Chainer's `ParallelSequentialIterator`: `batchSize` cursors at equally spaced offsets walking
/// the stream in lock-step with wrap-around.
///
/// With `n` tokens, row `i` starts at `offsets[i] = ⌊i·n / batchSize⌋`. Chainer's iterator
/// returns one `(current, next)` column per call; here a batch is `steps` consecutive calls
/// (the truncated-BPTT updater's `bprop_len`). After `iteration` calls,
///
///     X[i][t] = stream[(offsets[i] + iteration + t) mod n],   Y[i][t] = stream[(offsets[i] + iteration + t + 1) mod n]
///
/// `epoch = ⌊iteration·batchSize / n⌋` and ``epochDetail`` `= iteration·batchSize / n`, so
/// each call advances the epoch by `batchSize / n`. With `repeats == false` the pass stops at
/// the first call where `iteration·batchSize ≥ n`: the last batch may then be partial
/// (``Batch/filledSteps`` < `steps`) and later calls return `false` until ``reset()``.
public struct ParallelSequentialSampler: Sampler {
    /// The sampler's saved position (Chainer serializes `iteration` and `epoch`).
    public struct State: Codable, Sendable, Equatable {
        /// Length of the stream the sampler was built on (checked on restore).
        public var tokenCount: Int
        /// Rows per batch (checked on restore).
        public var batchSize: Int
        /// Calls (time steps) per batch (checked on restore).
        public var steps: Int
        /// Calls made so far (Chainer's `iteration`; not a count of parameter updates).
        public var iteration: Int
        /// Completed epochs.
        public var epoch: Int
        /// See ``Sampler/isNewEpoch``.
        public var isNewEpoch: Bool
    }

    /// The stream being walked.
    public let stream: TokenStream
    /// Rows per batch.
    public let batchSize: Int
    /// Calls per batch (Chainer's `bprop_len` when driving truncated BPTT; 1 for Chainer's one-column batches).
    public let steps: Int
    /// Whether to keep walking past the first pass (Chainer's `repeat`).
    public let repeats: Bool
    /// Number of single-column calls made so far.
    public private(set) var iteration = 0
    /// Completed epochs (0 during the first).
    public private(set) var epoch = 0
    /// Whether the last ``next(into:)`` increased ``epoch`` (at any of its calls).
    public private(set) var isNewEpoch = false

    /// Row `i`'s starting position, `⌊i·n / batchSize⌋`.
    public var offsets: [Int] { (0..<batchSize).map { $0 * stream.count / batchSize } }

    /// True after the first batch (since construction or ``reset()``): the cursors only move
    /// forward, wrapping around the end of the stream as Chainer's iterator does.
    public var continuesPreviousBatch: Bool { iteration > steps }

    /// `iteration·batchSize / n`: each call adds `batchSize / n`.
    public var epochDetail: Double { Double(iteration * batchSize) / Double(stream.count) }

    /// Calls in one pass: the first call with `iteration·batchSize ≥ n` stops it, i.e. `⌈n / batchSize⌉`.
    public var callsPerPass: Int { (stream.count + batchSize - 1) / batchSize }

    /// Batches in one non-repeating pass, `⌈callsPerPass / steps⌉`.
    public var batchesPerEpoch: Int { (callsPerPass + steps - 1) / steps }

    /// A sampler over `stream` with `batchSize` rows and `steps` calls per batch.
    /// - Throws: ``SamplerError/invalidShape(batchSize:steps:)``, or
    ///   ``SamplerError/corpusTooShort(sampler:tokens:batchSize:steps:required:maxBatchSize:maxSteps:)``
    ///   when the stream has fewer than `max(2, batchSize)` tokens (rows would start at the same place).
    public init(stream: TokenStream, batchSize: Int, steps: Int = 1, repeats: Bool = true) throws {
        guard batchSize >= 1, steps >= 1 else { throw SamplerError.invalidShape(batchSize: batchSize, steps: steps) }
        let n = stream.count
        guard n >= Swift.max(2, batchSize) else {
            throw SamplerError.tooShort("parallel-sequential", tokens: n, batchSize: batchSize, steps: steps,
                                        required: Swift.max(2, batchSize)) { b, _ in n >= Swift.max(2, b) ? 1 : 0 }
        }
        self.stream = stream
        self.batchSize = batchSize
        self.steps = steps
        self.repeats = repeats
    }

    /// Restarts from iteration 0, epoch 0 (Chainer's `reset`).
    public mutating func reset() {
        iteration = 0
        epoch = 0
        isNewEpoch = false
    }

    /// Makes up to `steps` Chainer calls, writing column `t` of `batch` for call `t`, and returns
    /// `true`; a non-repeating sampler whose pass is over returns `false` (until ``reset()``).
    public mutating func next(into batch: inout Batch) -> Bool {
        next(into: &batch, calls: steps)
    }

    /// Makes up to `calls` Chainer calls (at most ``steps``: the batch stays `batchSize × steps`
    /// wide, its first columns filled, ``Batch/filledSteps`` saying how many) and returns `true`;
    /// a non-repeating sampler whose pass is over returns `false`. AWD-LSTM's variable-length
    /// windows (``VariableLengthSampler``) take their lengths this way.
    public mutating func next(into batch: inout Batch, calls requested: Int) -> Bool {
        precondition((1...steps).contains(requested), "a window takes 1...\(steps) calls, not \(requested)")
        let n = stream.count
        var calls = requested
        if !repeats {
            calls = Swift.min(requested, callsPerPass - iteration)
            guard calls > 0 else { return false }
        }
        batch.reshape(batchSize: batchSize, steps: steps)
        batch.filledSteps = calls
        let (rows, steps, stream, start) = (batchSize, self.steps, self.stream, iteration % n)
        batch.withBuffers { x, y in
            for i in 0..<rows {
                let position = (i * n / rows + start) % n
                stream.copyWrapping(from: position, count: calls, into: x + i * steps)
                stream.copyWrapping(from: (position + 1) % n, count: calls, into: y + i * steps)
            }
        }
        iteration += calls
        let newEpoch = iteration * batchSize / n
        isNewEpoch = epoch < newEpoch
        if isNewEpoch { epoch = newEpoch }
        return true
    }

    /// The current position (`iteration`, `epoch`, `isNewEpoch`), for checkpoints.
    public var state: State {
        State(tokenCount: stream.count, batchSize: batchSize, steps: steps, iteration: iteration,
              epoch: epoch, isNewEpoch: isNewEpoch)
    }

    /// Moves to a saved position; throws ``SamplerError/stateMismatch(_:)`` for a state saved by
    /// another configuration.
    public mutating func restore(_ state: State) throws {
        try SamplerError.checkShape(saved: (state.tokenCount, state.batchSize, state.steps),
                                    current: (stream.count, batchSize, steps))
        guard state.iteration >= 0, state.epoch >= 0 else {
            throw SamplerError.stateMismatch(
                "iteration \(state.iteration) and epoch \(state.epoch) must be non-negative")
        }
        iteration = state.iteration
        epoch = state.epoch
        isNewEpoch = state.isNewEpoch
    }
}
