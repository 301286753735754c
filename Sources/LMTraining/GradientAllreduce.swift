import LMTensor

/// A data-parallel step's sums over the ranks: the loss, then every gradient in one fused
/// buffer (one allreduce per step, not one per tensor). Each rank's mean over its own rows
/// is weighted by its share of the batch (rows / B), so the sums are the mean over the
/// whole batch that one process would have computed.
public final class GradientAllreduce {
    public let communicator: any Communicator
    /// This rank's share of the batch, rows / B.
    public let weight: Double
    /// Time spent in ``sum(_:)`` so far (read-only; it does not affect the sums).
    public private(set) var timing = Timing()
    private let fused: Buffer<Float>

    /// Seconds and calls of ``sum(_:)``: `seconds` is the whole call (weighting into the fused
    /// buffer, the allreduce, copying back), `communicationSeconds` the allreduce alone. Both
    /// include waiting for the slowest rank to arrive.
    public struct Timing: Sendable {
        public var calls = 0
        public var seconds = 0.0
        public var communicationSeconds = 0.0
    }

    /// Sums for gradients of `count` values in all (the model's parameters together).
    public init(_ communicator: any Communicator, weight: Double, count: Int) {
        self.communicator = communicator
        self.weight = weight
        fused = Buffer(count: count)
    }

    /// The batch's mean loss from this rank's mean over its rows: NaN on every rank when
    /// any rank's is not finite, so all skip the same step.
    public func loss(_ local: Double) throws -> Double {
        var value = [local.isFinite ? weight * local : .nan]
        try value.withUnsafeMutableBufferPointer { try communicator.sum($0) }
        return value[0]
    }

    /// Replaces each gradient by the weighted sum of all ranks' (`buffers` in the same order
    /// on every rank).
    public func sum(_ buffers: [UnsafeMutableBufferPointer<Float>]) throws {
        let start = MonotonicClock.seconds()
        let w = Float(weight), f = fused.pointer
        var offset = 0
        for g in buffers {
            for i in g.indices { f[offset + i] = w * g[i] }
            offset += g.count
        }
        precondition(offset == fused.count, "the gradients hold \(offset) values; the fused buffer \(fused.count)")
        let sent = MonotonicClock.seconds()
        try communicator.sum(fused.buffer)
        let received = MonotonicClock.seconds()
        offset = 0
        for g in buffers {
            g.baseAddress!.update(from: f + offset, count: g.count)
            offset += g.count
        }
        timing.calls += 1
        timing.seconds += MonotonicClock.seconds() - start
        timing.communicationSeconds += received - sent
    }
}
