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
        let rate = Float(learningRate), decay = Float(weightDecay)
        for parameter in parameters {
            let value = parameter.value.pointer, gradient = UnsafePointer(parameter.gradient.pointer)
            let plain = weightDecay == 0
            WorkerPool.shared.parallelRows(parameter.count, width: 1) { part in
                if plain {
                    for index in part { value[index] -= rate * gradient[index] }
                } else {
                    for index in part { value[index] -= rate * (gradient[index] + decay * value[index]) }
                }
            }
        }
    }

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] { [] }
    public var stateScalars: [String: Double] { [:] }
    public mutating func restore(tensors: [String: SafeTensors.Tensor], scalars: [String: Double], parameters: [Parameter<Float>]) throws {}
}
