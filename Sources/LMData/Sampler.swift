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

/// Something that cuts a ``TokenStream`` into (X, Y) minibatches of `batchSize × steps` ids,
/// with Y the stream shifted by one position.
///
/// Iteration is by epochs: ``next(into:)`` fills the caller's ``Batch`` and returns `true`, or
/// returns `false` (writing nothing) when the current epoch has no batches left; the sampler
/// has then moved to the next epoch and the following call starts it. (A repeating
/// ``ParallelSequentialSampler`` never ends an epoch this way: it reports ``isNewEpoch`` instead.)
///
/// The whole position — epoch, batch index and the random state needed to rebuild the epoch —
/// is the `Codable` ``state``; restoring it yields exactly the batches the uninterrupted
/// sampler would have produced.
public protocol Sampler: Sendable {
    /// The sampler's position, saved in checkpoints (as JSON) and restored with ``restore(_:)``.
    associatedtype State: Codable, Sendable, Equatable

    /// Rows per batch.
    var batchSize: Int { get }
    /// Time steps per row.
    var steps: Int { get }
    /// Number of completed epochs (0 during the first).
    var epoch: Int { get }
    /// Batches in the current epoch (for a repeating ``ParallelSequentialSampler``, whose
    /// batches do not align with epochs, the batches of one non-repeating pass).
    var batchesPerEpoch: Int { get }
    /// Progress in epochs as a real number: completed epochs plus the fraction of the current one.
    var epochDetail: Double { get }
    /// Whether row `i` of the batch just produced continues row `i` of the previous batch in the
    /// stream, so a trainer may carry each row's hidden state over (detached) instead of
    /// resetting it: within an epoch for ``SequentialSampler`` (false at each epoch's first
    /// batch), never for ``RandomSampler``, after the first batch for ``ParallelSequentialSampler``.
    var continuesPreviousBatch: Bool { get }
    /// Whether the last ``next(into:)`` crossed into a new epoch (for the sequential and random
    /// samplers: whether the last call returned `false`).
    var isNewEpoch: Bool { get }

    /// Writes the next batch into `batch` (reshaping it on first use) and returns `true`, or
    /// returns `false` at the end of the current epoch and advances to the next one.
    mutating func next(into batch: inout Batch) -> Bool

    /// The current position.
    var state: State { get }
    /// Moves to a saved position.
    /// - Throws: ``SamplerError/stateMismatch(_:)`` if the state was saved by a sampler with a
    ///   different stream length, batch size or steps.
    mutating func restore(_ state: State) throws
}

/// Errors configuring or restoring a sampler.
public enum SamplerError: Error, Equatable, CustomStringConvertible {
    /// The batch size or number of steps is not positive.
    case invalidShape(batchSize: Int, steps: Int)
    /// A fixed offset is outside the range the partitioning allows.
    case invalidOffset(offset: Int, allowed: ClosedRange<Int>)
    /// The stream cannot fill one batch. `required` is the minimum token count for this
    /// configuration, `maxBatchSize` the largest batch that fits with these steps and
    /// `maxSteps` the most steps that fit with this batch size (0 when none does).
    case corpusTooShort(sampler: String, tokens: Int, batchSize: Int, steps: Int,
                        required: Int, maxBatchSize: Int, maxSteps: Int)
    /// A saved state does not belong to this sampler's configuration.
    case stateMismatch(String)

    /// An actionable, human-readable explanation of the error.
    public var description: String {
        switch self {
        case .invalidShape(let b, let s):
            return "batch size (\(b)) and steps (\(s)) must both be at least 1"
        case .invalidOffset(let o, let allowed):
            return "offset \(o) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .corpusTooShort(let sampler, let tokens, let b, let s, let required, let maxB, let maxS):
            var message = "a corpus of \(tokens) tokens is too short for \(sampler) batches of \(b) × \(s) steps: "
                + "at least \(required) tokens are needed"
            var fits: [String] = []
            if maxB > 0 { fits.append("batch size \(maxB) with \(s) steps") }
            if maxS > 0 { fits.append("\(maxS) steps with batch size \(b)") }
            if !fits.isEmpty {
                message += "; what fits: " + fits.joined(separator: ", or ")
            } else if tokens < 2 {
                message += "; even batch 1 × 1 does not fit (it needs an input and a target token) — use a longer corpus"
            } else {
                message += "; no batch size fits with \(s) steps and no number of steps with batch size \(b) — "
                    + "lower both data.batch and data.steps, or use a longer corpus"
            }
            return message
        case .stateMismatch(let detail):
            return "saved sampler state does not match this sampler: \(detail); "
                + "resume with the same corpus, split, batch size and steps"
        }
    }
}

extension SamplerError {
    /// Builds ``corpusTooShort`` by searching the largest batch size and steps for which
    /// `batches(tokens, batchSize, steps) >= 1`.
    static func tooShort(_ sampler: String, tokens: Int, batchSize: Int, steps: Int, required: Int,
                         batches: (Int, Int) -> Int) -> SamplerError {
        var maxB = 0
        // batches() is non-increasing in batch size and steps, so a linear scan up from 1 stops early.
        while maxB < batchSize, batches(maxB + 1, steps) >= 1 { maxB += 1 }
        var maxS = 0
        while maxS < steps, batches(batchSize, maxS + 1) >= 1 { maxS += 1 }
        return .corpusTooShort(sampler: sampler, tokens: tokens, batchSize: batchSize, steps: steps,
                               required: required, maxBatchSize: maxB, maxSteps: maxS)
    }

    /// Throws ``stateMismatch(_:)`` unless a state saved for `saved` (stream length, batch size,
    /// steps) belongs to a sampler of shape `current`: the check every sampler's `restore` starts with.
    static func checkShape(saved: (tokens: Int, batchSize: Int, steps: Int),
                           current: (tokens: Int, batchSize: Int, steps: Int)) throws {
        guard saved == current else {
            throw SamplerError.stateMismatch(
                "saved for \(saved.tokens) tokens, batch \(saved.batchSize) × \(saved.steps) steps; "
                    + "this sampler has \(current.tokens) tokens, batch \(current.batchSize) × \(current.steps) steps")
        }
    }

    /// Throws ``stateMismatch(_:)`` unless the epoch rebuilt from a saved generator starts at the
    /// saved offset (the epoch-based samplers' restore).
    static func checkRedrawnOffset(_ redrawn: Int, saved: Int) throws {
        guard redrawn == saved else {
            throw SamplerError.stateMismatch("the saved generator redraws offset \(redrawn), not the saved \(saved)")
        }
    }

    /// Throws ``stateMismatch(_:)`` unless a saved epoch is non-negative and its batch index lies
    /// in `0...batchesPerEpoch` of the rebuilt epoch (the epoch-based samplers' restore).
    static func checkPosition(epoch: Int, batchIndex: Int, batchesPerEpoch: Int) throws {
        guard epoch >= 0, (0...batchesPerEpoch).contains(batchIndex) else {
            throw SamplerError.stateMismatch("epoch \(epoch), batch \(batchIndex) is outside "
                + "0...\(batchesPerEpoch) batches")
        }
    }
}
