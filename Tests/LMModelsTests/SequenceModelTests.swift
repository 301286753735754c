import Foundation
@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// ``SequenceModel``: the regression and logistic heads over the shared cells, checked
/// against finite differences in Double (the fourth-order central difference and the 1e-5
/// relative-error bound of ``GradientCheckTests``) and against a plain-loop forward.
@Suite struct SequenceModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var kind: ModelConfig.Kind
        var layers: Int
        var head: SequenceModelConfig.Head
        var outputs = 1
        var testDescription: String { "\(kind.rawValue) layers=\(layers) \(head.rawValue) outputs=\(outputs)" }
        var config: SequenceModelConfig {
            SequenceModelConfig(kind: kind, inputSize: 2, hiddenSize: 4, layers: layers, outputSize: outputs,
                                head: head, initialization: .uniform(bound: 0.6))
        }
    }

    static let cases: [Case] = CellRegistry.kinds.flatMap { kind in
        [1, 2].flatMap { layers in SequenceModelConfig.Head.allCases.map { Case(kind: kind, layers: layers, head: $0) } }
    } + [Case(kind: .lstm, layers: 1, head: .logistic, outputs: 2), Case(kind: .gru, layers: 1, head: .regression, outputs: 3)]

    /// Random dense inputs and targets of the right shape for the head.
    static func data(_ config: SequenceModelConfig, steps: Int, batch: Int, _ rng: inout SplitMix64) -> (inputs: [Double], targets: [Double]) {
        let inputs = randomArray(steps * batch * config.inputSize, in: -1...1, &rng)
        let rows = config.head == .regression ? batch : steps * batch
        let targets: [Double] = config.head == .regression
            ? randomArray(rows * config.outputSize, in: 0...2, &rng)
            : (0..<rows * config.outputSize).map { _ in Double(Int.random(in: 0...1, using: &rng)) }
        return (inputs, targets)
    }

    /// Worst relative error between the analytic gradient and finite differences.
    static func worstError(_ config: SequenceModelConfig, fault: BackwardFault = .none, steps: Int = 5, batch: Int = 3) throws -> (worst: Double, at: String, checked: Int) {
        WorkerPool.shared.elementThreshold = 0  // the same code paths as full-size training
        var rng = SplitMix64(seed: 11)
        let model = try SequenceModel<Double>(config: config, using: &rng)
        model.injectFault(fault)
        let (inputs, targets) = data(config, steps: steps, batch: batch, &rng)
        // A first, different batch: the next forward must not depend on it (no carried state).
        let other = data(config, steps: steps, batch: batch, &rng)
        try model.forward(inputs: other.inputs, targets: other.targets, steps: steps, batch: batch)
        model.zeroGradients()
        try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch)
        try model.backward()
        let eps = 1e-3
        func loss(_ p: Parameter<Double>, _ i: Int, _ value: Double) throws -> Double {
            p.value[i] = value
            return try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch)
        }
        var worst = 0.0, at = "", checked = 0
        for p in model.parameters {
            let analytic = p.gradient.array
            for i in 0..<p.count {
                let saved = p.value[i]
                let d1 = try loss(p, i, saved + eps) - loss(p, i, saved - eps)
                let d2 = try loss(p, i, saved + 2 * eps) - loss(p, i, saved - 2 * eps)
                p.value[i] = saved
                let numeric = (8 * d1 - d2) / (12 * eps)
                let e = GradientCheckTests.relativeError(analytic[i], numeric)
                if e > worst { worst = e; at = "\(p.name)[\(i)] analytic \(analytic[i]) numeric \(numeric)" }
                checked += 1
            }
        }
        return (worst, at, checked)
    }

    @Test(arguments: cases)
    func analyticMatchesFiniteDifferences(_ c: Case) throws {
        let r = try Self.worstError(c.config)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.at)")
    }

    @Test(arguments: SequenceModelConfig.Head.allCases)
    func checkFailsWhenARecurrentTermIsDropped(head: SequenceModelConfig.Head) throws {
        let config = Case(kind: .rnn, layers: 1, head: head).config
        let r = try Self.worstError(config, fault: .dropRecurrentTerm)
        #expect(r.worst > 1e-2, "dropping dH_{t-1} += dG·W_hhᵀ went unnoticed (worst \(r.worst))")
    }

    /// The tutorials' loops: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b), y = h_T W_hy + b_y
    /// (regression) or σ(h_t W_hy + b_y) at every step (logistic), from h_0 = 0.
    @Test(arguments: SequenceModelConfig.Head.allCases)
    func rnnForwardMatchesAPlainLoop(head: SequenceModelConfig.Head) throws {
        let config = SequenceModelConfig(kind: .rnn, inputSize: 2, hiddenSize: 3, head: head, initialization: .uniform(bound: 0.8))
        var rng = SplitMix64(seed: 3)
        let model = try SequenceModel<Double>(config: config, using: &rng)
        let steps = 4, batch = 2, hidden = 3
        let (inputs, targets) = Self.data(config, steps: steps, batch: batch, &rng)
        let loss = try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch)
        let wx = model.parameters[0].value, wh = model.parameters[1].value, bh = model.parameters[2].value
        let wy = model.headWeight.value, by = model.headBias.value
        var expected: [Double] = Array(repeating: 0, count: head == .regression ? batch : steps * batch)
        for b in 0..<batch {
            var state = [Double](repeating: 0, count: hidden)
            for t in 0..<steps {
                var next = [Double](repeating: 0, count: hidden)
                for j in 0..<hidden {
                    var a = bh[j]
                    for f in 0..<2 { a += inputs[(t * batch + b) * 2 + f] * wx[f * hidden + j] }
                    for k in 0..<hidden { a += state[k] * wh[k * hidden + j] }
                    next[j] = Foundation.tanh(a)
                }
                state = next
                if head == .logistic {
                    var z = by[0]
                    for k in 0..<hidden { z += state[k] * wy[k] }
                    expected[t * batch + b] = 1 / (1 + Foundation.exp(-z))
                }
            }
            if head == .regression {
                var y = by[0]
                for k in 0..<hidden { y += state[k] * wy[k] }
                expected[b] = y
            }
        }
        let predictions = model.predictions
        #expect(predictions.count == expected.count)
        for (p, e) in zip(predictions, expected) { #expect(abs(p - e) < 1e-12) }
        let expectedLoss: Double = head == .regression
            ? zip(expected, targets).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(batch)
            : zip(expected, targets).map { -($1 * Foundation.log($0) + (1 - $1) * Foundation.log(1 - $0)) }.reduce(0, +) / Double(steps * batch)
        #expect(abs(loss - expectedLoss) < 1e-12)
    }

    @Test func shapesAndOrderAreChecked() throws {
        var rng = SplitMix64(seed: 1)
        let model = try SequenceModel<Float>(config: SequenceModelConfig(kind: .lstm, inputSize: 2, hiddenSize: 3, head: .regression), using: &rng)
        #expect(model.parameters.map(\.name) == ["lstm.0.W_xh", "lstm.0.W_hh", "lstm.0.b_h", "head.W_hy", "head.b_y"])
        #expect(throws: ModelError.self) { try model.forward(inputs: [1, 2, 3], steps: 2, batch: 1) }
        #expect(throws: ModelError.self) { try model.forward(inputs: [1, 2, 3, 4], targets: [1, 2], steps: 2, batch: 1) }
        #expect(throws: ModelError.backwardWithoutForward) { try model.backward() }
        try model.forward(inputs: [1, 2, 3, 4], steps: 2, batch: 1)
        #expect(throws: ModelError.backwardWithoutForward) { try model.backward() }
        #expect(throws: ModelError.self) {
            _ = try SequenceModel<Float>(config: SequenceModelConfig(kind: .rnn, inputSize: 0, hiddenSize: 3, head: .logistic), using: &rng)
        }
    }
}
