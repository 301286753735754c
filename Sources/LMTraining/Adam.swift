import Foundation
import LMModelFiles
import LMModels
import LMTensor

/// Adam (Kingma & Ba 2015) with bias correction, Chainer's defaults: β₁ 0.9, β₂ 0.999, ε 1e-8.
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
///     θ ← θ − lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v + ε)
///
/// Weight decay W is decoupled (AdamW, Loshchilov & Hutter, as torch.optim.AdamW): first
/// θ ← θ − lr · W · θ, then the update above; on every parameter.
public struct Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// W, the decoupled weight decay (0 for none).
    public let weightDecay: Double
    /// Updates done so far (t).
    public private(set) var steps = 0
    private var first = Slots(name: "m")
    private var second = Slots(name: "v")

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter<Float>]) {
        first.prepare(parameters)
        second.prepare(parameters)
        steps += 1
        let t = Double(steps)
        let rate = Float(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        let shrink = Float(1 - learningRate * weightDecay)
        for (index, parameter) in parameters.enumerated() {
            let value = parameter.value.pointer, gradient = UnsafePointer(parameter.gradient.pointer)
            let decays = weightDecay != 0
            if parameter.count == 0 { continue }
            first.buffers[index].withUnsafeMutableBufferPointer { mb in
                second.buffers[index].withUnsafeMutableBufferPointer { vb in
                    let m = mb.baseAddress!, v = vb.baseAddress!
                    // Element-wise: large parameters are split across the pool.
                    WorkerPool.shared.parallelRows(parameter.count, width: 1) { part in
                        if decays { for i in part { value[i] *= shrink } }
                        for i in part {
                            let g = gradient[i]
                            m[i] = b1 * m[i] + (1 - b1) * g
                            v[i] = b2 * v[i] + (1 - b2) * g * g
                            value[i] -= rate * m[i] / (v[i].squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] {
        first.tensors(for: parameters) + second.tensors(for: parameters)
    }

    public var checkpointState: OptimizerState { .adam(steps: steps) }

    public mutating func restore(tensors: [String: SafeTensors.Tensor], state: OptimizerState, parameters: [Parameter<Float>]) throws {
        guard case .adam(let steps) = state else { throw state.mismatch("Adam") }
        self.steps = steps
        try first.restore(tensors, parameters: parameters)
        try second.restore(tensors, parameters: parameters)
    }
}
