import LMData
import LMModels
import LMSettings
import LMTensor
@testable import LMTraining
import Testing

@Suite struct TrainingStepTests {
    static func model() throws -> RecurrentLM<Float> {
        var rng = RandomGenerator(seed: 3)
        return try RecurrentLM<Float>(config: ModelConfig(kind: .rnn, vocabularySize: 5, hiddenSize: 4, initialization: .xavierUniform), using: &rng)
    }

    /// The step returns the window's loss (as a plain forward computes it) and updates the weights.
    @Test func aStepReturnsTheLossAndUpdates() throws {
        let model = try Self.model(), reference = try Self.model()
        let x: [Int32] = [0, 1, 2, 3, 4, 0], y: [Int32] = [1, 2, 3, 4, 0, 1]
        let expected = try reference.forward(inputs: x, targets: y, steps: 3, batch: 2)
        var optimizer: any Optimizer = SGD(learningRate: 0.5)
        let before = model.parameters.map { $0.value.array }
        let loss = try TrainingStep(model: model, clip: 1).run(inputs: x, targets: y, steps: 3, batch: 2, optimizer: &optimizer)
        #expect(loss == expected)
        #expect(model.parameters.map { $0.value.array } != before)
    }

    /// A non-finite loss is reported as nil, before any backward or update.
    @Test func aNonFiniteLossUpdatesNothing() throws {
        let model = try Self.model()
        model.outputLayer.bias.value[0] = .infinity
        let before = model.parameters.map { $0.value.array }
        var optimizer: any Optimizer = SGD(learningRate: 0.5)
        let loss = try TrainingStep(model: model, clip: nil).run(inputs: [0, 1], targets: [1, 2], steps: 1, batch: 2, optimizer: &optimizer)
        #expect(loss == nil)
        #expect(model.parameters.map { $0.value.array } == before)
        #expect(model.parameters.allSatisfy { $0.gradient.array.allSatisfy { $0 == 0 } })
    }

    /// An untied embedding's gradient is row-sparse: the step zeroes, clips and (SGD without
    /// weight decay) updates only the window's rows. Over several windows, with clipping on,
    /// the weights equal a dense step's (zero all, clip all, update all) to rounding, and the
    /// rows no window touched keep their exact initial values.
    @Test(arguments: [0.0, 0.01])
    func rowSparseEmbeddingStepsMatchDenseSteps(weightDecay: Double) throws {
        func embeddingModel() throws -> RecurrentLM<Float> {
            var rng = RandomGenerator(seed: 9)
            let config = ModelConfig(kind: .lstm, vocabularySize: 50, embeddingSize: 6, hiddenSize: 5, layers: 2, initialization: .xavierUniform)
            return try RecurrentLM<Float>(config: config, using: &rng)
        }
        let sparse = try embeddingModel(), dense = try embeddingModel()
        let initial = sparse.inputLayer.embedding!.value.array
        var rng = RandomGenerator(seed: 4)
        let windows = (0..<6).map { _ in (0..<13).map { _ in Int32(rng.next() % 40) } }   // ids ≥ 40 never occur
        let step = TrainingStep(model: sparse, clip: 0.1)
        var sparseOptimizer: any Optimizer = SGD(learningRate: 0.5, weightDecay: weightDecay)
        var denseOptimizer: any Optimizer = SGD(learningRate: 0.5, weightDecay: weightDecay)
        for w in windows {
            let x = Array(w[0..<12]), y = Array(w[1..<13])
            let loss = try step.run(inputs: x, targets: y, steps: 4, batch: 3, optimizer: &sparseOptimizer)
            #expect(sparse.rowSparseGradient?.rows == Array(Set(x.map(Int.init))).sorted())
            dense.zeroGradients()
            let expected = try dense.forward(inputs: x, targets: y, steps: 4, batch: 3)
            try dense.backward()
            GradientClipping.clip(dense.gradientBuffers, maxNorm: 0.1)
            denseOptimizer.step(dense.parameters)
            #expect(loss.map { abs($0 - expected) < 1e-6 } == true)
        }
        for (a, b) in zip(sparse.parameters, dense.parameters) {
            for (u, v) in zip(a.value.array, b.value.array) { #expect(abs(u - v) <= 1e-6 * max(1, abs(v)), "\(a.name)") }
        }
        let e = sparse.inputLayer.embedding!.value.array, width = 6
        let untouched = (40..<50).flatMap { Array($0 * width..<($0 + 1) * width) }
        if weightDecay == 0 { #expect(untouched.allSatisfy { e[$0] == initial[$0] }) } else { #expect(untouched.allSatisfy { e[$0] != initial[$0] }) }
    }
}
