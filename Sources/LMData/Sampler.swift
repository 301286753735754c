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
