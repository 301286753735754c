@testable import LMModels
import LMSettings
import LMTensor
import Testing

@Suite struct MemoryEstimateTests {
    /// The scalars a model's buffers hold after one training window (forward with targets, the
    /// gradient over the logits as a training step has it, backward) of `steps × batch`: parameters and gradients, every cell's workspace, the
    /// head's logits and the input layer's rows.
    func allocatedValues(_ model: RecurrentLM<Float>, steps: Int, batch: Int, _ rng: inout SplitMix64) throws -> Int {
        let ids = randomTokens(steps * batch, vocabulary: model.config.vocabularySize, &rng)
        _ = try model.forward(inputs: ids, targets: ids, steps: steps, batch: batch, keepingOutputs: false)
        try model.backward()
        var values = model.parameters.reduce(0) { $0 + $1.value.count + $1.gradient.count }
        for cell in model.cells {
            let w = cell.workspace
            values += [w.states, w.cells, w.gateValues, w.gateGradients, w.auxiliary, w.outputGradientBuffer,
                       w.scratch, w.transposedRecurrent].reduce(0) { $0 + $1.count }
            values += w.carried.reduce(0) { $0 + $1.count }
        }
        values += model.outputLayer.logits.count + model.outputLayer.logitGradients.count
        values += model.inputLayer.embedded.count + model.inputLayer.gradients.count
        return values
    }

    /// The estimate equals the values the real buffers of a built model hold after a
    /// training window (forward with targets, backward), for every cell and input kind.
    @Test(arguments: CellRegistry.kinds, [nil, 5] as [Int?])
    func matchesTheBuffersOfABuiltModel(kind: ModelConfig.Kind, embedding: Int?) throws {
        let config = ModelConfig(kind: kind, vocabularySize: 11, embeddingSize: embedding, hiddenSize: 7, layers: 2)
        var rng = SplitMix64(seed: 1)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let steps = 3, batch = 2
        let values = try allocatedValues(model, steps: steps, batch: batch, &rng)
        let estimate = try MemoryEstimate(config: config, steps: steps, batch: batch)
        #expect(estimate.total == values * 4)
        #expect(estimate.parameterCount == model.parameterCount)
        #expect(try MemoryEstimate(config: config, steps: steps, batch: batch, optimizerCopies: 2).total
                == estimate.total + 2 * 4 * model.parameterCount)
    }

    /// Tied (the embedding counted once, no W_hq) and with two biases per gate, the estimate
    /// still equals the built model's buffers and parameter count.
    @Test(arguments: CellRegistry.kinds, [(true, false), (true, true), (false, true)] as [(Bool, Bool)])
    func tiedAndTwoBiasModelsMatchTheirBuffers(kind: ModelConfig.Kind, options: (tied: Bool, recurrentBias: Bool)) throws {
        var config = ModelConfig(kind: kind, vocabularySize: 11, embeddingSize: 6, hiddenSize: 6, layers: 2)
        config.tied = options.tied
        config.recurrentBias = options.recurrentBias
        var rng = SplitMix64(seed: 2)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let steps = 3, batch = 2
        let values = try allocatedValues(model, steps: steps, batch: batch, &rng)
        let estimate = try MemoryEstimate(config: config, steps: steps, batch: batch)
        #expect(estimate.parameterCount == model.parameterCount)
        #expect(estimate.total == values * 4)
        let gates = try CellRegistry.definition(of: kind).gateCount
        let untied = 11 * 6 + 11 + 11 * 6 + 2 * (2 * 6 * gates * 6 + gates * 6)
        #expect(model.parameterCount == untied - (options.tied ? 6 * 11 : 0) + (options.recurrentBias ? 2 * gates * 6 : 0))
    }

    /// PyTorch's GRU (a B × 3H scratch per layer), with and without b_hh and weight drop.
    @Test(arguments: [false, true])
    func pytorchGRUMatchesItsBuffers(recurrentBias: Bool) throws {
        var config = ModelConfig(kind: .gru, vocabularySize: 11, embeddingSize: 5, hiddenSize: 7, layers: 2)
        config.gruVariant = .pytorch
        config.recurrentBias = recurrentBias
        var rng = SplitMix64(seed: 3)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let steps = 3, batch = 2
        let values = try allocatedValues(model, steps: steps, batch: batch, &rng)
        #expect(try MemoryEstimate(config: config, steps: steps, batch: batch).total == values * 4)
        #expect(try MemoryEstimate(config: config, steps: steps, batch: batch).parameterCount == model.parameterCount)
    }

    /// A huge model is refused with the estimate and the memory available, never allocated.
    @Test func aModelLargerThanMemoryIsRefused() throws {
        let huge = try MemoryEstimate(config: ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 100_000), steps: 35, batch: 32)
        #expect(huge.largestPart == "parameters")
        #expect(throws: MemoryError.insufficient(needed: huge.total, available: 1 << 30, advice: "lower --hidden")) {
            try SystemMemory.check(huge, available: 1 << 30, advice: "lower --hidden")
        }
        #expect(SystemMemory.available() > 0)
    }

    /// Sizes from absurd settings (a config.json or a flag) saturate at `unbounded` instead of
    /// wrapping around (LMModels is built with -Ounchecked, where a wrapped total once passed
    /// as small and the allocation aborted): every part and the total stay ≥ the parts.
    @Test(arguments: [(4_000_000_000, 1, 35, 32), (256, 1_000_000_000, 35, 32), (3_037_000_500, 1, 1, 1),
                      (256, 1, Int.max, 32), (256, 2, 35, Int.max), (Int.max, Int.max, Int.max, Int.max),
                      (1 << 31, 1 << 20, 1 << 12, 1 << 8)])
    func oversizedSettingsSaturateInsteadOfWrapping(hidden: Int, layers: Int, steps: Int, batch: Int) throws {
        for kind in CellRegistry.kinds {
            for embedding in [nil, 650] as [Int?] {
                var config = ModelConfig(kind: kind, vocabularySize: 10_000, embeddingSize: embedding, hiddenSize: hidden, layers: layers)
                config.dropout.hidden = 0.5
                config.dropout.weightDrop = 0.5
                let estimate = try MemoryEstimate(config: config, steps: steps, batch: batch, optimizerCopies: 2)
                let parts = [estimate.parameters, estimate.workspace, estimate.head, estimate.input, estimate.parameterCount]
                #expect(parts.allSatisfy { $0 >= 0 }, "\(kind) \(parts)")
                #expect(estimate.total >= parts.max()!, "\(kind): total \(estimate.total) < a part of \(parts)")
                #expect(estimate.total > 1 << 40)
                #expect(throws: MemoryError.self) { try SystemMemory.check(estimate, available: 1 << 40, advice: "lower it") }
            }
        }
    }

    /// A size beyond `Int` is said so, not printed as a wrapped or meaningless number; the
    /// estimate does not take time in proportion to the layer count.
    @Test func anUncountableSizeIsSaidSoAndComesAtOnce() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let estimate = try MemoryEstimate(config: ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 1 << 40, layers: Int.max), steps: 35, batch: 32)
        #expect(clock.now - started < .seconds(1))
        #expect(estimate.total == MemoryEstimate.unbounded)
        let error = MemoryError.insufficient(needed: estimate.total, available: 1 << 30, advice: "lower model.layers")
        #expect(error.description == "the model needs more than 9.2 EB of memory but only 1.1 GB is available; lower model.layers")
    }
}
