/// AWD-LSTM's variable-length BPTT windows (Merity et al. 2018, `main.py`'s `train()`) over the
/// rows of Chainer's parallel-sequential layout (``ParallelSequentialSampler``, whose rows and
/// carried state it keeps).
///
/// An epoch is AWD-LSTM's loop over one pass of `P = ⌈n / batchSize⌉` calls (``callsPerEpoch``),
/// with `i` the calls taken so far in it: while `i < P − 1`, draw a mean length `baseSteps`, or
/// `baseSteps / 2` with probability `halfProbability`; draw `x ~ N(mean, spread²)` and the length
/// `ℓ = max(5, ⌊x⌋)` (truncated toward zero, as Python's `int`); take a window of
/// `w = min(ℓ, steps, P − i)` calls (``steps`` is the longest window, the batch's width) and
/// advance `i` by `w`. The step's learning rate is `lr · ℓ / baseSteps` (``drawnLength``). A
/// last single call left over begins the next epoch, so the rows are walked without a gap.
/// Draws come from one ``RandomGenerator``, carried in ``state``: a restored sampler draws
/// exactly the lengths the uninterrupted one would have.
public struct VariableLengthSampler: Sampler {
    /// The sampler's saved position.
    public struct State: Codable, Sendable, Equatable {
        /// The rows' position.
        public var rows: ParallelSequentialSampler.State
        /// The generator the next lengths are drawn from.
        public var generator: RandomGenerator
        /// The base length (checked on restore).
        public var baseSteps: Int
        /// Completed epochs.
        public var epoch: Int
        /// Calls taken in the current epoch (AWD-LSTM's `i`).
        public var position: Int
        /// Windows taken in the current epoch.
        public var batchIndex: Int
        /// See ``Sampler/isNewEpoch``.
        public var isNewEpoch: Bool
    }

    /// The shortest length drawn (AWD-LSTM's `max(5, …)`).
    public static let minimumLength = 5

    /// The base length (AWD-LSTM's `bptt`).
    public let baseSteps: Int
    /// Probability of the half-length mean.
    public let halfProbability: Double
    /// Standard deviation of the drawn length, in steps.
    public let spread: Double
    private var rows: ParallelSequentialSampler
    private var generator: RandomGenerator
    /// Completed epochs (0 during the first).
    public private(set) var epoch = 0
    /// Calls taken in the current epoch.
    public private(set) var position = 0
    /// Windows taken in the current epoch.
    public private(set) var batchIndex = 0
    /// Whether the last ``next(into:)`` returned `false`, ending an epoch.
    public private(set) var isNewEpoch = false
    /// The length drawn for the latest window, before it was cut to ``steps`` or the epoch's
    /// end (AWD-LSTM's `seq_len`): that step's learning rate is `lr · drawnLength / baseSteps`.
    public private(set) var drawnLength = 0
    /// Calls in the latest window.
    private var lastWindow = 0

    /// A sampler over `stream` in `batchSize` rows, windows around `baseSteps` of at most
    /// `longestWindow` calls, lengths drawn from `generator`.
    /// - Throws: ``SamplerError/invalidShape(batchSize:steps:)``, the parallel sampler's
    ///   ``SamplerError/corpusTooShort(sampler:tokens:batchSize:steps:required:maxBatchSize:maxSteps:)``.
    public init(stream: TokenStream, batchSize: Int, baseSteps: Int, longestWindow: Int, halfProbability: Double,
                spread: Double, generator: RandomGenerator) throws {
        guard baseSteps >= 1, longestWindow >= baseSteps else { throw SamplerError.invalidShape(batchSize: batchSize, steps: baseSteps) }
        rows = try ParallelSequentialSampler(stream: stream, batchSize: batchSize, steps: longestWindow)
        self.baseSteps = baseSteps
        self.halfProbability = halfProbability
        self.spread = spread
        self.generator = generator
    }

    /// Rows per batch.
    public var batchSize: Int { rows.batchSize }
    /// The longest window: the batch's width.
    public var steps: Int { rows.steps }
    /// Calls in one epoch, a pass over the rows: `⌈n / batchSize⌉`.
    public var callsPerEpoch: Int { rows.callsPerPass }
    /// Windows an epoch takes on average (`⌈P / baseSteps⌉`), for progress.
    public var batchesPerEpoch: Int { (callsPerEpoch + baseSteps - 1) / baseSteps }
    /// Completed epochs plus the fraction of the current one's calls taken.
    public var epochDetail: Double { Double(epoch) + Double(position) / Double(callsPerEpoch) }
    /// True after the first window: the rows only move forward, as the parallel sampler's.
    public var continuesPreviousBatch: Bool { rows.iteration > lastWindow }

    /// Draws the next window's length and writes it into `batch` (``Batch/filledSteps`` calls
    /// of its `batchSize × steps`) and returns `true`, or returns `false` when fewer than two
    /// calls of the epoch are left (AWD-LSTM's `while i < len − 2`) and starts the next epoch.
    public mutating func next(into batch: inout Batch) -> Bool {
        let remaining = callsPerEpoch - position
        guard remaining >= 2 else {
            epoch += 1
            position = 0
            batchIndex = 0
            isNewEpoch = true
            return false
        }
        isNewEpoch = false
        let mean = generator.nextDouble() < halfProbability ? Double(baseSteps) / 2 : Double(baseSteps)
        let x = generator.nextNormal(mean: mean, deviation: spread)
        // ⌊x⌋ below 6 is at most 5; the upper bound keeps the conversion in range.
        drawnLength = x < Double(Self.minimumLength + 1) ? Self.minimumLength : Int(Swift.min(x, 1e9))
        let window = Swift.min(drawnLength, steps, remaining)
        _ = rows.next(into: &batch, calls: window)
        lastWindow = window
        position += window
        batchIndex += 1
        return true
    }

    /// The current position, for checkpoints.
    public var state: State {
        State(rows: rows.state, generator: generator, baseSteps: baseSteps, epoch: epoch, position: position,
              batchIndex: batchIndex, isNewEpoch: isNewEpoch)
    }

    /// Moves to a saved position; throws ``SamplerError/stateMismatch(_:)`` for a state saved by
    /// another configuration.
    public mutating func restore(_ state: State) throws {
        try rows.restore(state.rows)
        guard state.baseSteps == baseSteps else {
            throw SamplerError.stateMismatch("saved for windows around \(state.baseSteps) steps; this sampler's are around \(baseSteps)")
        }
        guard state.epoch >= 0, (0...callsPerEpoch).contains(state.position), state.batchIndex >= 0 else {
            throw SamplerError.stateMismatch("epoch \(state.epoch), call \(state.position) is outside 0...\(callsPerEpoch) calls")
        }
        generator = state.generator
        epoch = state.epoch
        position = state.position
        batchIndex = state.batchIndex
        isNewEpoch = state.isNewEpoch
        lastWindow = 0
    }
}
