import LMModelFiles
import LMModels
import LMTensor

/// Stochastic gradient descent, θ ← θ − lr · g (d2l's `sgd`; the gradient is already the
/// mean over the batch's tokens). With weight decay W, L2 as torch.optim.SGD's
/// `weight_decay`: θ ← θ − lr · (g + W θ), on every parameter, after clipping. Element-wise, so
/// large parameters are split across ``WorkerPool/shared``.
public struct SGD: Optimizer {
    public var learningRate: Double
    /// W, the L2 coefficient (0 for none).
    public let weightDecay: Double

    public init(learningRate: Double, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter<Float>]) {
        step(parameters, skipping: nil)
    }

    /// ``step(_:)`` on every parameter but `skipped`.
    private func step(_ parameters: [Parameter<Float>], skipping skipped: Parameter<Float>?) {
        let rate = Float(learningRate), decay = Float(weightDecay)
        for parameter in parameters where parameter !== skipped {
            let value = parameter.value.pointer, gradient = UnsafePointer(parameter.gradient.pointer)
            let plain = weightDecay == 0
            WorkerPool.shared.parallelRows(parameter.count, width: 1) { part in
                if plain {
                    Self.descend(value, gradient, part, rate: rate)
                } else {
                    for index in part { value[index] -= rate * (gradient[index] + decay * value[index]) }
                }
            }
        }
    }

    /// Without weight decay θ − lr · 0 = θ exactly, so a row-sparse parameter is updated in
    /// its rows with a gradient only; with weight decay every row moves (``step(_:)``).
    public mutating func step(_ parameters: [Parameter<Float>], sparse: RowSparseGradient<Float>?) {
        guard let sparse, weightDecay == 0 else { return step(parameters) }
        step(parameters, skipping: sparse.parameter)
        let rate = Float(learningRate), width = sparse.parameter.cols
        let value = sparse.parameter.value.pointer, gradient = UnsafePointer(sparse.parameter.gradient.pointer)
        sparse.rows.withUnsafeBufferPointer { rows in
            WorkerPool.shared.parallelRows(rows.count, width: width) { part in
                for r in part { Self.descend(value, gradient, rows[r] * width..<(rows[r] + 1) * width, rate: rate) }
            }
        }
    }

    /// θ ← θ − lr · g over `range`, the update of both steps without weight decay.
    @inline(__always)
    private static func descend(_ value: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>, _ range: Range<Int>, rate: Float) {
        for index in range { value[index] -= rate * gradient[index] }
    }

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] { [] }
    public var checkpointState: OptimizerState { .sgd }
    public mutating func restore(tensors: [String: SafeTensors.Tensor], state: OptimizerState, parameters: [Parameter<Float>]) throws {
        guard case .sgd = state else { throw state.mismatch("SGD") }
    }
}
