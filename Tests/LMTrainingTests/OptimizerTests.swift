import Foundation
import LMModels
import Testing
@testable import LMTraining

/// Optimizers checked against their formulas on a parameter whose gradient we set by hand.
@Suite struct OptimizerTests {
    /// Minimises f(θ) = ½ Σ θ², whose gradient is θ, for `steps` updates.
    func descend(_ optimizer: inout some Optimizer, from start: [Float], steps: Int) -> [Float] {
        let p = TrainingFixtures.parameter(start)
        for _ in 0..<steps {
            try! p.gradient.assign(p.value.array)
            optimizer.step([p])
        }
        return p.value.array
    }

    @Test func sgdSubtractsTheScaledGradient() {
        var sgd = SGD(learningRate: 0.1)
        #expect(descend(&sgd, from: [1, -2], steps: 1) == [0.9, -1.8])
    }

    @Test func adamMatchesItsFormula() {
        var adam = Adam(learningRate: 0.01)
        let result = descend(&adam, from: [1, -2], steps: 3)
        // Reference in Double.
        var theta = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for t in 1...3 {
            for i in 0..<2 {
                let g = theta[i]
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
                theta[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<2 { #expect(abs(Double(result[i]) - theta[i]) < 1e-5) }
    }

    /// The binary-addition tutorial's loop: move by μv, take the gradient there, then update.
    @Test func rmspropNesterovEqualsTheTutorialsLookAheadLoop() {
        let lr = 0.05, lambda = 0.5, mu = 0.8, eps = 1e-6
        var optimizer = RMSProp(learningRate: lr, decay: lambda, momentum: mu, nesterov: true, epsilon: eps)
        let ours = descend(&optimizer, from: [1, -2], steps: 6)
        // Tutorial: P += μV; g = ∇(P); MA = λMA + (1−λ)g²; s = lr g/(√MA + ε); V = μV − s; P −= s.
        // Our parameters are the look-ahead point P + μV, where the gradient is taken.
        var p = [1.0, -2.0], velocity = [0.0, 0.0], average = [0.0, 0.0]
        for _ in 0..<6 {
            for i in 0..<2 {
                p[i] += mu * velocity[i]
                let g = p[i]
                average[i] = lambda * average[i] + (1 - lambda) * g * g
                let s = lr * g / (average[i].squareRoot() + eps)
                velocity[i] = mu * velocity[i] - s
                p[i] -= s
            }
        }
        for i in 0..<2 { #expect(abs(Double(ours[i]) - (p[i] + mu * velocity[i])) < 1e-5) }
    }

    @Test func stateSurvivesASaveAndRestore() throws {
        let p = TrainingFixtures.parameter([1, -2])
        var a = Adam(learningRate: 0.01)
        try p.gradient.assign([0.5, 0.5])
        a.step([p])
        var b = Adam(learningRate: 0.01)
        try b.restore(tensors: Dictionary(uniqueKeysWithValues: a.stateTensors(for: [p]).map { ($0.name, $0) }),
                      state: a.checkpointState, parameters: [p])
        let q = TrainingFixtures.parameter(p.value.array)
        try q.gradient.assign([0.5, 0.5])
        a.step([p])
        b.step([q])
        #expect(p.value.array == q.value.array)
    }
}
