import Foundation
import LMModels
import Testing
@testable import LMTraining

/// Weight decay against plain references in Double: L2 in SGD's and RMSProp's gradient,
/// decoupled in Adam (AdamW).
@Suite struct WeightDecayTests {
    /// `steps` updates with the fixed gradient `gradient` (so the decay term is what moves θ apart).
    func run(_ optimizer: inout some Optimizer, from start: [Float], gradient: [Float], steps: Int) -> [Float] {
        let p = TrainingFixtures.parameter(start)
        for _ in 0..<steps {
            try! p.gradient.assign(gradient)
            optimizer.step([p])
        }
        return p.value.array
    }

    @Test func sgdAddsL2ToTheGradient() {
        var sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        let result = run(&sgd, from: [1, -2], gradient: [0.2, 0.4], steps: 3)
        var theta = [1.0, -2.0]
        for _ in 0..<3 { for i in 0..<2 { theta[i] -= 0.1 * ([0.2, 0.4][i] + 0.5 * theta[i]) } }
        for i in 0..<2 { #expect(abs(Double(result[i]) - theta[i]) < 1e-6) }
        var plain = SGD(learningRate: 0.1)
        #expect(run(&plain, from: [1, -2], gradient: [0.2, 0.4], steps: 3) != result)
    }

    @Test func zeroWeightDecayIsBitForBitThePlainUpdate() {
        var a = SGD(learningRate: 0.3), b = SGD(learningRate: 0.3, weightDecay: 0)
        #expect(run(&a, from: [1, -2, 0.7], gradient: [0.2, 0.4, -1], steps: 4) == run(&b, from: [1, -2, 0.7], gradient: [0.2, 0.4, -1], steps: 4))
        var c = Adam(learningRate: 0.01), d = Adam(learningRate: 0.01, weightDecay: 0)
        #expect(run(&c, from: [1, -2], gradient: [0.2, 0.4], steps: 4) == run(&d, from: [1, -2], gradient: [0.2, 0.4], steps: 4))
    }

    @Test func rmspropAddsL2ToTheGradient() {
        var rms = RMSProp(learningRate: 0.01, decay: 0.9, weightDecay: 0.1)
        let result = run(&rms, from: [1, -2], gradient: [0.2, 0.4], steps: 3)
        var theta = [1.0, -2.0], a = [0.0, 0.0]
        for _ in 0..<3 {
            for i in 0..<2 {
                let g = [0.2, 0.4][i] + 0.1 * theta[i]
                a[i] = 0.9 * a[i] + 0.1 * g * g
                theta[i] -= 0.01 * g / (a[i].squareRoot() + 1e-6)
            }
        }
        for i in 0..<2 { #expect(abs(Double(result[i]) - theta[i]) < 1e-5) }
    }

    @Test func adamDecaysDecoupledAsAdamW() {
        let lr = 0.01, w = 0.1
        var adam = Adam(learningRate: lr, weightDecay: w)
        let result = run(&adam, from: [1, -2], gradient: [0.2, 0.4], steps: 3)
        // torch.optim.AdamW: θ ← θ(1 − lr·W), then Adam on the raw gradient (the decay never enters m, v).
        var theta = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for t in 1...3 {
            for i in 0..<2 {
                let g = [0.2, 0.4][i]
                theta[i] *= 1 - lr * w
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
                theta[i] -= lr * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<2 { #expect(abs(Double(result[i]) - theta[i]) < 1e-5) }
    }
}
