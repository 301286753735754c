import LMData
import LMModels
import Testing
@testable import LMTraining

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
}
