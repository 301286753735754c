import LMModelFiles
import LMModels
import LMTensor

/// Stochastic gradient descent, θ ← θ − lr · g (d2l's `sgd`; the gradient is already the
/// mean over the batch's tokens).
public struct SGD: Optimizer {
    public var learningRate: Double

    public init(learningRate: Double) { self.learningRate = learningRate }

    public mutating func step(_ parameters: [Parameter<Float>]) {
        let rate = Float(learningRate)
        for parameter in parameters {
            let value = parameter.value.pointer, gradient = parameter.gradient.pointer
            for index in 0..<parameter.count { value[index] -= rate * gradient[index] }
        }
    }

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] { [] }
    public var stateScalars: [String: Double] { [:] }
    public mutating func restore(tensors: [String: SafeTensors.Tensor], scalars: [String: Double], parameters: [Parameter<Float>]) throws {}
}
