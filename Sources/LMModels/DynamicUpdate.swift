import LMSettings
import LMTensor

/// Dynamic evaluation's step (``DynamicEvaluation``) over a model's parameters: the trained
/// weights θ₀ kept aside once, then after each segment's backward
/// θ ← θ + decay (θ₀ − θ) − lr ∇θ (the decay read from θ before the step, as Krause et al.'s
/// `dynamiceval.py` computes its update), and θ₀ put back at the end. No allocation per step.
final class DynamicUpdate {
    /// Step size and decay.
    let settings: DynamicEvaluation
    /// The parameters updated, each once.
    private let parameters: [Parameter<Float>]
    /// θ₀: every parameter's trained values, one after the other in ``parameters`` order.
    private let trained: Buffer<Float>

    /// Keeps the current values of `parameters` (each listed once) as θ₀.
    init(settings: DynamicEvaluation, parameters: [Parameter<Float>]) {
        self.settings = settings
        self.parameters = parameters
        trained = Buffer(count: parameters.reduce(0) { $0 + $1.count })
        var offset = 0
        for p in parameters {
            (trained.pointer + offset).update(from: p.value.pointer, count: p.count)
            offset += p.count
        }
    }

    /// One step from the gradients the last backward left in each parameter's ``Parameter/gradient``.
    func step() {
        let rate = Float(settings.learningRate), decay = Float(settings.decay)
        var offset = 0
        for p in parameters {
            let v = p.value.pointer, g = UnsafePointer(p.gradient.pointer), origin = UnsafePointer(trained.pointer + offset)
            if decay == 0 {
                for i in 0..<p.count { v[i] -= rate * g[i] }
            } else {
                for i in 0..<p.count { v[i] += decay * (origin[i] - v[i]) - rate * g[i] }
            }
            offset += p.count
        }
    }

    /// Puts θ₀ back.
    func restore() {
        var offset = 0
        for p in parameters {
            p.value.pointer.update(from: trained.pointer + offset, count: p.count)
            offset += p.count
        }
    }
}
