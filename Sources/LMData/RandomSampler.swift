/// Random sampling, as d2l's `seq_data_iter_random`.
///
/// Each epoch draws an offset `o` uniformly from `0..<steps` (or uses a fixed one), cuts the
/// stream after it into `m = ⌊(n − o − 1) / steps⌋` non-overlapping subsequences starting at
/// `o + j·steps`, shuffles those starts (Fisher–Yates, ``RandomGenerator/shuffle(_:)``) and serves
/// them `batchSize` at a time for `⌊m / batchSize⌋` batches; the `m mod batchSize` starts left
/// over after the shuffle are skipped that epoch. Row `i` of batch `k` is
///
///     X[i][t] = stream[s + t],   Y[i][t] = stream[s + t + 1],   s = starts[k·batchSize + i]
///
/// Rows of consecutive batches are unrelated, so a trainer resets the hidden state every batch.
/// The start array is allocated once and refilled in place each epoch.
public struct RandomSampler: Sampler {
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
        /// Whether the offset is fixed (not drawn each epoch).
        public var fixedOffset: Bool
        /// The generator as it was before the current epoch's draws (offset and shuffle): the
        /// epoch's order is rebuilt from it on restore, instead of saving the whole order.
        public var epochGenerator: RandomGenerator
        /// See ``Sampler/isNewEpoch``.
        public var isNewEpoch: Bool
    }

    /// The stream being sampled.
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
    /// Number of subsequences in the current epoch (`m` above).
    public private(set) var subsequenceCount = 0

    private var generator: RandomGenerator
    private var epochGenerator: RandomGenerator
    private let fixedOffset: Int?
    /// The shuffled subsequence starts; the first `subsequenceCount` entries are this epoch's.
    /// Allocated once; every epoch refills it in place.
    private(set) var starts: [Int]

    /// Number of batches d2l's random sampling yields: `⌊⌊(tokens − offset − 1) / steps⌋ / batchSize⌋`.
    public static func batchCount(tokens: Int, batchSize: Int, steps: Int, offset: Int) -> Int {
        let usable = tokens - offset - 1
        guard usable > 0, batchSize > 0, steps > 0 else { return 0 }
        return (usable / steps) / batchSize
    }

    /// A sampler drawing each epoch's offset (in `0..<steps`) and order from `generator`.
    /// - Throws: ``SamplerError/invalidShape(batchSize:steps:)``, or
    ///   ``SamplerError/corpusTooShort(sampler:tokens:batchSize:steps:required:maxBatchSize:maxSteps:)``
    ///   when some offset would leave no batch (the stream needs `(batchSize + 1)·steps` tokens).
    public init(stream: TokenStream, batchSize: Int, steps: Int, generator: RandomGenerator) throws {
        try self.init(stream: stream, batchSize: batchSize, steps: steps, fixedOffset: nil, generator: generator)
    }

    /// A sampler with the same `offset` (in `0..<steps`) every epoch; `generator` still shuffles.
    /// - Throws: as ``init(stream:batchSize:steps:generator:)``, or ``SamplerError/invalidOffset(offset:allowed:)``.
    public init(stream: TokenStream, batchSize: Int, steps: Int, offset: Int, generator: RandomGenerator) throws {
        try self.init(stream: stream, batchSize: batchSize, steps: steps, fixedOffset: offset, generator: generator)
    }

    private init(stream: TokenStream, batchSize: Int, steps: Int, fixedOffset: Int?,
                 generator: RandomGenerator) throws {
        guard batchSize >= 1, steps >= 1 else { throw SamplerError.invalidShape(batchSize: batchSize, steps: steps) }
        if let o = fixedOffset, !(0...(steps - 1)).contains(o) {
            throw SamplerError.invalidOffset(offset: o, allowed: 0...(steps - 1))
        }
        let worstOffset = fixedOffset ?? (steps - 1)
        let n = stream.count
        if Self.batchCount(tokens: n, batchSize: batchSize, steps: steps, offset: worstOffset) < 1 {
            throw SamplerError.tooShort(
                "random", tokens: n, batchSize: batchSize, steps: steps,
                required: batchSize * steps + worstOffset + 1
            ) { b, s in Self.batchCount(tokens: n, batchSize: b, steps: s, offset: fixedOffset ?? (s - 1)) }
        }
        self.stream = stream
        self.batchSize = batchSize
        self.steps = steps
        self.fixedOffset = fixedOffset
        self.generator = generator
        self.epochGenerator = generator
        // The largest epoch (offset 0) has ⌊(n − 1) / steps⌋ subsequences.
        self.starts = [Int](repeating: 0, count: (n - 1) / steps)
        startEpoch()
    }

    /// Records the generator, draws the offset, refills and shuffles the starts in place.
    private mutating func startEpoch() {
        epochGenerator = generator
        offset = fixedOffset ?? generator.next(below: steps)
        batchIndex = 0
        subsequenceCount = (stream.count - offset - 1) / steps
        batchesPerEpoch = subsequenceCount / batchSize
        let (m, o, s) = (subsequenceCount, offset, steps)
        starts.withUnsafeMutableBufferPointer { buffer in
            for j in 0..<m { buffer[j] = o + j * s }
            generator.shuffle(UnsafeMutableBufferPointer(rebasing: buffer[0..<m]))
        }
    }

    /// The start positions used by batch `k` of the current epoch (`batchSize` of them).
    public func subsequenceStarts(ofBatch k: Int) -> ArraySlice<Int> {
        precondition(k >= 0 && k < batchesPerEpoch, "batch \(k) out of 0..<\(batchesPerEpoch)")
        return starts[(k * batchSize)..<((k + 1) * batchSize)]
    }

    /// Always false: consecutive batches hold unrelated subsequences.
    public var continuesPreviousBatch: Bool { false }

    /// Completed epochs plus `batchIndex / batchesPerEpoch`.
    public var epochDetail: Double { Double(epoch) + Double(batchIndex) / Double(batchesPerEpoch) }

    /// Writes the next batch into `batch` (reshaping it on first use) and returns `true`, or
    /// returns `false` at the end of the epoch and starts the next one (new offset, new order).
    public mutating func next(into batch: inout Batch) -> Bool {
        guard batchIndex < batchesPerEpoch else {
            epoch += 1
            isNewEpoch = true
            startEpoch()
            return false
        }
        isNewEpoch = false
        batch.reshape(batchSize: batchSize, steps: steps)
        let (rows, steps, stream, first) = (batchSize, self.steps, self.stream, batchIndex * batchSize)
        starts.withUnsafeBufferPointer { starts in
            batch.withBuffers { x, y in
                for i in 0..<rows {
                    let start = starts[first + i]
                    stream.copy(from: start, count: steps, into: x + i * steps)
                    stream.copy(from: start + 1, count: steps, into: y + i * steps)
                }
            }
        }
        batchIndex += 1
        return true
    }

    /// The current position, for checkpoints.
    public var state: State {
        State(tokenCount: stream.count, batchSize: batchSize, steps: steps, epoch: epoch, batchIndex: batchIndex,
              offset: offset, fixedOffset: fixedOffset != nil, epochGenerator: epochGenerator, isNewEpoch: isNewEpoch)
    }

    /// Moves to a saved position, rebuilding the epoch (offset and order) from the saved
    /// generator; throws ``SamplerError/stateMismatch(_:)`` for a state saved by another configuration.
    public mutating func restore(_ state: State) throws {
        try SamplerError.checkShape(saved: (state.tokenCount, state.batchSize, state.steps),
                                    current: (stream.count, batchSize, steps))
        guard state.fixedOffset == (fixedOffset != nil), !state.fixedOffset || state.offset == fixedOffset else {
            throw SamplerError.stateMismatch(
                "saved with \(state.fixedOffset ? "the fixed offset \(state.offset)" : "random offsets"), this sampler uses "
                    + (fixedOffset.map { "the fixed offset \($0)" } ?? "random offsets"))
        }
        var restored = self
        restored.generator = state.epochGenerator
        restored.startEpoch()
        try SamplerError.checkRedrawnOffset(restored.offset, saved: state.offset)
        try SamplerError.checkPosition(epoch: state.epoch, batchIndex: state.batchIndex,
                                       batchesPerEpoch: restored.batchesPerEpoch)
        restored.epoch = state.epoch
        restored.batchIndex = state.batchIndex
        restored.isNewEpoch = state.isNewEpoch
        self = restored
    }
}
