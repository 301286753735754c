import LMModelFiles
import LMModels
import LMTensor

/// RMSProp with optional Nesterov momentum, as the binary-addition tutorial trains:
///
///     a ← λ a + (1 − λ) g²                 (moving average of the squared gradient)
///     s = lr · g / (√a + ε)                (normalised step)
///     plain:     θ ← θ − s
///     momentum:  v' = μ v − s;  Nesterov:  θ ← θ − μ v + (1 + μ) v'   else θ ← θ + v'
///
/// The Nesterov form is the tutorial's "move by μv, take the gradient there, move again"
/// written in look-ahead coordinates, so that the gradient is always taken at θ.
///
/// Weight decay W adds W θ to g first (L2, as torch.optim.RMSprop's `weight_decay`).
public struct RMSProp: Optimizer {
    public var learningRate: Double
    /// λ, the moving-average factor.
    public let decay: Double
    /// μ; 0 for none.
    public let momentum: Double
    public let nesterov: Bool
    public let epsilon: Double
    /// W, the L2 coefficient (0 for none).
    public let weightDecay: Double
    private var average = Slots(name: "square_avg")
    private var velocity = Slots(name: "velocity")

    public init(learningRate: Double, decay: Double = 0.9, momentum: Double = 0, nesterov: Bool = false, epsilon: Double = 1e-6,
                weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.decay = decay
        self.momentum = momentum
        self.nesterov = nesterov
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter<Float>]) {
        average.prepare(parameters)
        if momentum > 0 { velocity.prepare(parameters) }
        let rate = Float(learningRate), lambda = Float(decay), mu = Float(momentum), eps = Float(epsilon)
        for (index, parameter) in parameters.enumerated() {
            let value = parameter.value.pointer, gradient = parameter.gradient.pointer
            if weightDecay != 0 {
                let w = Float(weightDecay)
                for i in 0..<parameter.count { gradient[i] += w * value[i] }
            }
            average.buffers[index].withUnsafeMutableBufferPointer { a in
                for i in 0..<parameter.count {
                    let g = gradient[i]
                    a[i] = lambda * a[i] + (1 - lambda) * g * g
                }
                if momentum == 0 {
                    for i in 0..<parameter.count { value[i] -= rate * gradient[i] / (a[i].squareRoot() + eps) }
                    return
                }
                velocity.buffers[index].withUnsafeMutableBufferPointer { v in
                    for i in 0..<parameter.count {
                        let step = rate * gradient[i] / (a[i].squareRoot() + eps)
                        let updated = mu * v[i] - step
                        value[i] += nesterov ? -mu * v[i] + (1 + mu) * updated : updated
                        v[i] = updated
                    }
                }
            }
        }
    }

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] {
        average.tensors(for: parameters) + velocity.tensors(for: parameters)
    }

    public var checkpointState: OptimizerState { .rmsprop }

    public mutating func restore(tensors: [String: SafeTensors.Tensor], state: OptimizerState, parameters: [Parameter<Float>]) throws {
        guard case .rmsprop = state else { throw state.mismatch("RMSProp") }
        try average.restore(tensors, parameters: parameters)
        try velocity.restore(tensors, parameters: parameters)
    }
}
