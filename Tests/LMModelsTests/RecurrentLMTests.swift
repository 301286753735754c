@testable import LMModels
import LMSettings
import LMTensor
import Numerics
import Testing

@Suite struct RecurrentLMTests {
    /// Two windows of T with the state carried equal one window of 2T (forward values).
    @Test(arguments: CellRegistry.kinds)
    func carriedStateContinuesTheSequence(kind: ModelConfig.Kind) throws {
        var rng = SplitMix64(seed: 3)
        let config = ModelConfig(kind: kind, vocabularySize: 6, hiddenSize: 8, layers: 2, initialization: .uniform(bound: 0.5))
        let a = try RecurrentLM<Double>(config: config, using: &rng)
        var rng2 = SplitMix64(seed: 3)
        let b = try RecurrentLM<Double>(config: config, using: &rng2)
        let batch = 2
        let ids = randomTokens(8 * batch, vocabulary: 6, &rng)
        try a.forward(inputs: ids, steps: 8, batch: batch)
        try b.forward(inputs: Array(ids[0..<(4 * batch)]), steps: 4, batch: batch)
        try b.forward(inputs: Array(ids[(4 * batch)...]), steps: 4, batch: batch)
        let la = a.logits, lb = b.logits
        for r in 0..<lb.rows { for c in 0..<lb.cols {
            #expect(lb[r, c].isApproximatelyEqual(to: la[r + 4 * batch, c], absoluteTolerance: 1e-12))
        } }
        #expect(a.state == b.state)
        b.resetState()
        #expect(b.state.allSatisfy { $0.storage.allSatisfy { $0 == 0 } })
    }

    /// Truncated BPTT: the gradient of a window does not depend on how the carried state was
    /// reached (it is detached), only on its value.
    /// A training step's loss writes the gradient over the logits (keepingOutputs false): the
    /// same loss and the same gradient bits as with the logits kept, tied or not, and the
    /// kept logits are still the forward's.
    @Test(arguments: [false, true])
    func gradientOverTheLogitsIsTheSame(tied: Bool) throws {
        var config = ModelConfig(kind: .lstm, vocabularySize: 37, embeddingSize: tied ? 6 : 5, hiddenSize: 6, layers: 2,
                                 initialization: .uniform(bound: 0.5))
        config.tied = tied
        var rng = SplitMix64(seed: 11)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let (steps, batch) = (4, 3)
        let x = randomTokens(steps * batch, vocabulary: 37, &rng), y = randomTokens(steps * batch, vocabulary: 37, &rng)
        func run(keeping: Bool, targets: [Int32]? = nil) throws -> (Double, [UInt32], [Float]) {
            model.resetState()
            model.zeroGradients()
            let loss = try model.forward(inputs: x, targets: targets ?? y, steps: steps, batch: batch, keepingOutputs: keeping)
            let logits = model.logits.storage
            try model.backward()
            return (loss, model.gradientStorage.buffer.map(\.bitPattern), logits)
        }
        model.resetState()
        try model.forward(inputs: x, steps: steps, batch: batch)
        let forwardLogits = model.logits.storage
        // A kept gradient of other targets first: an overwritten loss must not read it back.
        _ = try run(keeping: true, targets: randomTokens(steps * batch, vocabulary: 37, &rng))
        let overwritten = try run(keeping: false), kept = try run(keeping: true)
        #expect(kept.0 == overwritten.0)
        #expect(kept.1 == overwritten.1)
        #expect(kept.1.contains { $0 != 0 })
        #expect(kept.2 == forwardLogits)
        #expect(overwritten.2 != forwardLogits)
    }

    @Test func backwardIsTruncatedAtTheWindow() throws {
        var rng = SplitMix64(seed: 4)
        let config = ModelConfig(kind: .lstm, vocabularySize: 5, hiddenSize: 6, initialization: .uniform(bound: 0.5))
        let m = try RecurrentLM<Double>(config: config, using: &rng)
        let x0 = randomTokens(6, vocabulary: 5, &rng), x1 = randomTokens(6, vocabulary: 5, &rng), y1 = randomTokens(6, vocabulary: 5, &rng)
        try m.forward(inputs: x0, targets: x0, steps: 3, batch: 2)
        let state = m.state
        m.zeroGradients()
        try m.forward(inputs: x1, targets: y1, steps: 3, batch: 2)
        try m.backward()
        let g1 = m.parameters.map { $0.gradient.array }
        try m.setState(state)
        m.zeroGradients()
        try m.forward(inputs: x1, targets: y1, steps: 3, batch: 2)
        try m.backward()
        #expect(m.parameters.map { $0.gradient.array } == g1)
        // Gradients accumulate until zeroed.
        try m.setState(state)
        try m.forward(inputs: x1, targets: y1, steps: 3, batch: 2)
        try m.backward()
        let p = m.parameters[1]
        #expect(p.gradient[3].isApproximatelyEqual(to: 2 * g1[1][3], relativeTolerance: 1e-12))
    }

    @Test func errorsAreActionable() throws {
        var rng = SplitMix64(seed: 1)
        let m = try RecurrentLM<Float>(config: ModelConfig(kind: .rnn, vocabularySize: 4, hiddenSize: 3), using: &rng)
        #expect(throws: ModelError.backwardWithoutForward) { try m.backward() }
        #expect(throws: ModelError.tokenOutOfRange(id: 4, vocabularySize: 4)) {
            try m.forward(inputs: [0, 4], targets: [1, 1], steps: 1, batch: 2)
        }
        #expect(throws: ModelError.self) { try m.forward(inputs: [0, 1, 2], targets: [1, 1, 1], steps: 2, batch: 2) }
        try m.forward(inputs: [0, 1], steps: 1, batch: 2)
        #expect(throws: ModelError.backwardWithoutForward) { try m.backward() }
        #expect(throws: ModelError.self) { try m.setState([Matrix<Float>(rows: 2, cols: 5)]) }
    }

    /// A few SGD steps with clipping lower the loss on a fixed window (the pieces fit).
    @Test func trainingStepsReduceLoss() throws {
        var rng = SplitMix64(seed: 8)
        let m = try RecurrentLM<Float>(config: ModelConfig(kind: .gru, vocabularySize: 8, hiddenSize: 16, initialization: .xavierUniform), using: &rng)
        let x = randomTokens(20, vocabulary: 8, &rng)
        let y = x.map { ($0 + 1) % 8 }
        var first = 0.0, last = 0.0
        for i in 0..<30 {
            m.resetState()
            m.zeroGradients()
            let loss = try m.forward(inputs: x, targets: y, steps: 5, batch: 4)
            try m.backward()
            GradientClipping.clip(m.gradientBuffers, maxNorm: 1)
            for p in m.parameters { Float.axpy(-1, p.gradient.pointer, p.value.pointer, count: p.count) }
            if i == 0 { first = loss }
            last = loss
        }
        #expect(last < 0.5 * first)
    }
}
