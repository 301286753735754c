/// Sequential partitioning, as d2l's `seq_data_iter_sequential`.
///
/// Each epoch starts at an offset `o` (drawn uniformly from `0...steps`, both ends included, or
/// fixed). The `n − o − 1` tokens after it, trimmed to a multiple of `batchSize`, are cut into
/// `batchSize` rows of `L = ⌊(n − o − 1) / batchSize⌋` tokens, and batch `k` takes the window
/// `k·steps ..< (k+1)·steps` of every row:
///
///     X[i][t] = stream[o + i·L + k·steps + t],   Y[i][t] = stream[o + i·L + k·steps + t + 1]
///
/// for `⌊L / steps⌋` batches per epoch. Row `i` of batch `k + 1` continues row `i` of batch `k`,
/// so a trainer may carry the hidden state across batches within an epoch.
public struct SequentialSampler: Sampler {
    /// The sampler's saved position.
    public struct State: Codable, Sendable, Equatable {
        /// Length of the stream the sampler was built on (checked on restore).
        public var tokenCount: Int
        /// Rows per batch (checked on restore).
        public var batchSize: Int
        /// Steps per row (checked on restore).
        public var steps: Int
        /// Completed epochs.
        public var epoch: Int
        /// Batches produced in the current epoch.
        public var batchIndex: Int
        /// The current epoch's offset.
        public var offset: Int
        /// The generator as it was before drawing the current epoch's offset; `nil` for a fixed offset.
        public var epochGenerator: RandomGenerator?
        /// See ``Sampler/isNewEpoch``.
        public var isNewEpoch: Bool
    }

    /// The stream being partitioned.
    public let stream: TokenStream
    /// Rows per batch.
    public let batchSize: Int
    /// Time steps per row.
    public let steps: Int
    /// Completed epochs (0 during the first).
    public private(set) var epoch = 0
    /// Batches already produced in the current epoch.
    public private(set) var batchIndex = 0
    /// Batches in the current epoch (d2l's formula for the current offset).
    public private(set) var batchesPerEpoch = 0
    /// Whether the last ``next(into:)`` returned `false`, ending an epoch.
    public private(set) var isNewEpoch = false
    /// The current epoch's offset into the stream.
    public private(set) var offset = 0
    /// Tokens per row in the current epoch (`L` above).
    public private(set) var rowLength = 0

    /// Where offsets come from: one fixed value, or `generator` (the state after the current draw).
    private var generator: RandomGenerator?
    private var epochGenerator: RandomGenerator?
    private let fixedOffset: Int?

    /// Number of batches d2l's sequential partitioning yields:
    /// `⌊⌊(tokens − offset − 1) / batchSize⌋ / steps⌋` (0 when the stream is shorter than the offset).
    public static func batchCount(tokens: Int, batchSize: Int, steps: Int, offset: Int) -> Int {
        let usable = tokens - offset - 1
        guard usable > 0, batchSize > 0, steps > 0 else { return 0 }
        return (usable / batchSize) / steps
    }

    /// A sampler drawing a fresh offset in `0...steps` from `generator` at the start of every epoch.
    /// - Throws: ``SamplerError/invalidShape(batchSize:steps:)``, or
    ///   ``SamplerError/corpusTooShort(sampler:tokens:batchSize:steps:required:maxBatchSize:maxSteps:)``
    ///   when some offset would leave no batch (the stream needs `batchSize·steps + steps + 1` tokens).
    public init(stream: TokenStream, batchSize: Int, steps: Int, generator: RandomGenerator) throws {
        try self.init(stream: stream, batchSize: batchSize, steps: steps, fixedOffset: nil, generator: generator)
    }

    /// A sampler using the same `offset` (in `0...steps`) every epoch, drawing nothing.
    /// - Throws: as ``init(stream:batchSize:steps:generator:)``, or
    ///   ``SamplerError/invalidOffset(offset:allowed:)``.
    public init(stream: TokenStream, batchSize: Int, steps: Int, offset: Int) throws {
        try self.init(stream: stream, batchSize: batchSize, steps: steps, fixedOffset: offset, generator: nil)
    }

    private init(stream: TokenStream, batchSize: Int, steps: Int, fixedOffset: Int?,
                 generator: RandomGenerator?) throws {
        guard batchSize >= 1, steps >= 1 else { throw SamplerError.invalidShape(batchSize: batchSize, steps: steps) }
        if let o = fixedOffset, !(0...steps).contains(o) {
            throw SamplerError.invalidOffset(offset: o, allowed: 0...steps)
        }
        let worstOffset = fixedOffset ?? steps
        let n = stream.count
        if Self.batchCount(tokens: n, batchSize: batchSize, steps: steps, offset: worstOffset) < 1 {
            throw SamplerError.tooShort(
                "sequential", tokens: n, batchSize: batchSize, steps: steps,
                required: batchSize * steps + worstOffset + 1
            ) { b, s in Self.batchCount(tokens: n, batchSize: b, steps: s, offset: fixedOffset ?? s) }
        }
        self.stream = stream
        self.batchSize = batchSize
        self.steps = steps
        self.fixedOffset = fixedOffset
        self.generator = generator
        startEpoch()
    }

    /// Chooses the epoch's offset (recording the generator first, for restore) and its shape.
    private mutating func startEpoch() {
        if let fixed = fixedOffset {
            offset = fixed
        } else {
            epochGenerator = generator
            offset = generator!.next(in: 0...steps)
        }
        batchIndex = 0
        rowLength = (stream.count - offset - 1) / batchSize
        batchesPerEpoch = rowLength / steps
    }

    /// True from the second batch of each epoch on (the offset changes between epochs).
    public var continuesPreviousBatch: Bool { batchIndex > 1 }

    /// Completed epochs plus `batchIndex / batchesPerEpoch`.
    public var epochDetail: Double { Double(epoch) + Double(batchIndex) / Double(batchesPerEpoch) }

    /// Writes the next batch into `batch` (reshaping it on first use) and returns `true`, or
    /// returns `false` at the end of the epoch and starts the next one (new offset).
    public mutating func next(into batch: inout Batch) -> Bool {
        guard batchIndex < batchesPerEpoch else {
            epoch += 1
            isNewEpoch = true
            startEpoch()
            return false
        }
        isNewEpoch = false
        batch.reshape(batchSize: batchSize, steps: steps)
        let base = offset + batchIndex * steps
        let (rows, length, steps, stream) = (batchSize, rowLength, self.steps, self.stream)
        batch.withBuffers { x, y in
            for i in 0..<rows {
                let start = base + i * length
                stream.copy(from: start, count: steps, into: x + i * steps)
                stream.copy(from: start + 1, count: steps, into: y + i * steps)
            }
        }
        batchIndex += 1
        return true
    }

    /// The current position, for checkpoints.
    public var state: State {
        State(tokenCount: stream.count, batchSize: batchSize, steps: steps, epoch: epoch,
              batchIndex: batchIndex, offset: offset, epochGenerator: epochGenerator, isNewEpoch: isNewEpoch)
    }

    /// Moves to a saved position, rebuilding the epoch (its offset) from the saved
    /// generator; throws ``SamplerError/stateMismatch(_:)`` for a state saved by another configuration.
    public mutating func restore(_ state: State) throws {
        try SamplerError.checkShape(saved: (state.tokenCount, state.batchSize, state.steps),
                                    current: (stream.count, batchSize, steps))
        var restored = self
        if let fixed = fixedOffset {
            guard state.epochGenerator == nil, state.offset == fixed else {
                throw SamplerError.stateMismatch(
                    "saved with \(state.epochGenerator == nil ? "offset \(state.offset)" : "random offsets"), "
                        + "this sampler uses the fixed offset \(fixed)")
            }
            restored.startEpoch()
        } else {
            guard let g = state.epochGenerator else {
                throw SamplerError.stateMismatch(
                    "saved with the fixed offset \(state.offset), this sampler draws random offsets")
            }
            restored.generator = g
            restored.startEpoch()
            try SamplerError.checkRedrawnOffset(restored.offset, saved: state.offset)
        }
        try SamplerError.checkPosition(epoch: state.epoch, batchIndex: state.batchIndex,
                                       batchesPerEpoch: restored.batchesPerEpoch)
        restored.epoch = state.epoch
        restored.batchIndex = state.batchIndex
        restored.isNewEpoch = state.isNewEpoch
        self = restored
    }
}
