import LMTensor

/// A data-parallel step's sums over the ranks: the loss, then every gradient at once, in the
/// model's contiguous gradient storage (one allreduce per step, not one per tensor, and no
/// copy). Each rank's mean over its own rows is weighted by its share of the batch (rows / B),
/// so the sums are the mean over the whole batch that one process would have computed.
public final class GradientAllreduce {
    public let parallel: DataParallel
    /// This rank's share of the batch, rows / B.
    public let weight: Double
    /// Time spent in ``sum(_:)`` so far (read-only; it does not affect the sums).
    public private(set) var timing = Timing()

    /// Seconds and calls of ``sum(_:)``: `seconds` is the whole call (weighting in place and
    /// the allreduce), `communicationSeconds` the allreduce alone. Both include waiting for
    /// the slowest rank to arrive.
    public struct Timing: Sendable {
        public var calls = 0
        public var seconds = 0.0
        public var communicationSeconds = 0.0
    }

    /// Sums over the ranks of `parallel`, this rank's gradients weighted by `weight`.
    public init(_ parallel: DataParallel, weight: Double) {
        self.parallel = parallel
        self.weight = weight
    }

    /// The batch's mean loss from this rank's mean over its rows: NaN on every rank when
    /// any rank's is not finite, so all skip the same step.
    public func loss(_ local: Double) throws -> Double {
        try parallel.sum([local.isFinite ? weight * local : .nan])[0]
    }

    /// Replaces `gradients` (every gradient of the model, the same layout on every rank) by
    /// the weighted sum of all ranks'.
    public func sum(_ gradients: Buffer<Float>) throws {
        let start = MonotonicClock.seconds()
        let w = Float(weight), g = gradients.pointer
        for i in 0..<gradients.count { g[i] *= w }
        let sent = MonotonicClock.seconds()
        try parallel.communicator.sum(gradients.buffer)
        let end = MonotonicClock.seconds()
        timing.calls += 1
        timing.seconds += end - start
        timing.communicationSeconds += end - sent
    }
}
