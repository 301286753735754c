@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

@Suite struct GenerationStateTests {
    /// The step's logits equal `model.forward(steps: 1)`'s to float rounding, step after step,
    /// for every cell kind, one-hot and embedded input, stacked layers and batches.
    @Test(arguments: [(ModelConfig.Kind.rnn, nil, 1, 1), (.rnn, nil, 1, 3), (.gru, nil, 1, 1), (.lstm, nil, 1, 2),
                      (.rnn, 9, 2, 1), (.gru, 7, 2, 2), (.lstm, 11, 3, 1)] as [(ModelConfig.Kind, Int?, Int, Int)])
    func logitsMatchTheModelsForward(kind: ModelConfig.Kind, embedding: Int?, layers: Int, batch: Int) throws {
        var rng = SplitMix64(seed: 12)
        for activation in kind == .rnn ? [ModelConfig.Activation.tanh, .relu] : [.tanh] {
            let config = ModelConfig(kind: kind, activation: activation, vocabularySize: 37, embeddingSize: embedding,
                                     hiddenSize: 45, layers: layers,
                                     // relu is unbounded: a contracting scale, or rounding differences grow chaotically
                                     initialization: .normal(scale: activation == .relu ? 0.1 : 0.3))
            let model = try RecurrentLM<Float>(config: config, using: &rng)
            for p in model.parameters where p.isVector {
                for i in 0..<p.count { p.value[i] = Float.random(in: -0.3...0.3, using: &rng) }
            }
            let step = try #require(GenerationState(model: model))
            step.reset(batch: batch)
            model.resetState()
            for t in 0..<25 {
                let ids = (0..<batch).map { _ in Int32.random(in: 0..<37, using: &rng) }
                try model.forward(inputs: ids, steps: 1, batch: batch)
                ids.withUnsafeBufferPointer { step.step($0.baseAddress!) }
                let expected = model.logits.storage
                for i in 0..<batch * 37 {
                    #expect(abs(step.logits[i] - expected[i]) < 1e-4 * max(1, abs(expected[i])), "\(kind) \(activation) step \(t) logit \(i) \(expected[i])")
                }
            }
            // Reset starts from zero again, as the model's resetState.
            step.reset(batch: batch)
            model.resetState()
            let ids = [Int32](repeating: 5, count: batch)
            try model.forward(inputs: ids, steps: 1, batch: batch)
            ids.withUnsafeBufferPointer { step.step($0.baseAddress!) }
            #expect(abs(step.logits[3] - model.logits.storage[3]) < 1e-5)
        }
    }

    /// Layers of different widths (the last tied to the embedding, as AWD-LSTM): the step's
    /// logits equal the window forward's, for one row and for several (the multi-row step).
    @Test(arguments: CellRegistry.kinds, [1, 3])
    func unequalWidthsLogitsMatchTheModelsForward(kind: ModelConfig.Kind, batch: Int) throws {
        var rng = SplitMix64(seed: 14)
        var config = ModelConfig(kind: kind, vocabularySize: 37, embeddingSize: 9, hiddenSize: 1, layers: 3,
                                 initialization: .normal(scale: 0.3))
        config.layerWidths = .perLayer([23, 40, 9])
        config.tied = true
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let step = try #require(GenerationState(model: model))
        step.reset(batch: batch)
        model.resetState()
        for t in 0..<20 {
            let ids = (0..<batch).map { _ in Int32.random(in: 0..<37, using: &rng) }
            try model.forward(inputs: ids, steps: 1, batch: batch)
            ids.withUnsafeBufferPointer { step.step($0.baseAddress!) }
            let expected = model.logits.storage
            for i in 0..<batch * 37 {
                #expect(abs(step.logits[i] - expected[i]) < 1e-4 * max(1, abs(expected[i])), "\(kind) step \(t) logit \(i) \(expected[i])")
            }
        }
    }

    /// PyTorch's GRU: the step's logits equal the window forward's, one-hot and embedded,
    /// one and two layers, with and without b_hh.
    @Test(arguments: [(nil, 1, 1, false), (nil, 1, 2, true), (7, 2, 2, true), (9, 2, 1, false)] as [(Int?, Int, Int, Bool)])
    func pytorchGRULogitsMatchTheModelsForward(embedding: Int?, layers: Int, batch: Int, recurrentBias: Bool) throws {
        var rng = SplitMix64(seed: 13)
        var config = ModelConfig(kind: .gru, vocabularySize: 37, embeddingSize: embedding, hiddenSize: 45, layers: layers,
                                 initialization: .normal(scale: 0.3))
        config.gruVariant = .pytorch
        config.recurrentBias = recurrentBias
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        for p in model.parameters where p.isVector {
            for i in 0..<p.count { p.value[i] = Float.random(in: -0.3...0.3, using: &rng) }
        }
        let step = try #require(GenerationState(model: model))
        step.reset(batch: batch)
        model.resetState()
        for t in 0..<25 {
            let ids = (0..<batch).map { _ in Int32.random(in: 0..<37, using: &rng) }
            try model.forward(inputs: ids, steps: 1, batch: batch)
            ids.withUnsafeBufferPointer { step.step($0.baseAddress!) }
            let expected = model.logits.storage
            for i in 0..<batch * 37 {
                #expect(abs(step.logits[i] - expected[i]) < 1e-4 * max(1, abs(expected[i])), "step \(t) logit \(i) \(expected[i])")
            }
        }
    }

    /// A tied head (logits from Eᵀ) with two biases per gate: the step's logits equal the
    /// window forward's, and follow the embedding when it changes between generations.
    @Test(arguments: [(ModelConfig.Kind.rnn, 1, 1), (.gru, 2, 2), (.lstm, 2, 1), (.lstm, 1, 3)] as [(ModelConfig.Kind, Int, Int)])
    func tiedLogitsMatchTheModelsForward(kind: ModelConfig.Kind, layers: Int, batch: Int) throws {
        var rng = SplitMix64(seed: 21)
        var config = ModelConfig(kind: kind, vocabularySize: 150, embeddingSize: 24, hiddenSize: 24, layers: layers,
                                 initialization: .pytorch)
        config.tied = true
        config.recurrentBias = true
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        #expect(model.outputLayer.isTied)
        let step = try #require(GenerationState(model: model))
        for round in 0..<2 {
            if round == 1 {   // a training update between generations: the step must see it
                let e = model.inputLayer.embedding!
                for i in 0..<e.count { e.value[i] += Float.random(in: -0.2...0.2, using: &rng) }
            }
            step.reset(batch: batch)
            model.resetState()
            for t in 0..<12 {
                let ids = (0..<batch).map { _ in Int32.random(in: 0..<150, using: &rng) }
                try model.forward(inputs: ids, steps: 1, batch: batch)
                ids.withUnsafeBufferPointer { step.step($0.baseAddress!) }
                let expected = model.logits.storage
                for i in 0..<batch * 150 {
                    #expect(abs(step.logits[i] - expected[i]) < 1e-4 * max(1, abs(expected[i])), "\(kind) round \(round) step \(t) logit \(i)")
                }
            }
        }
    }

    /// Generation through the step and through `model.forward` gives the same text; the step
    /// leaves the model's carried state alone.
    @Test(arguments: [ModelConfig.Kind.rnn, .gru, .lstm])
    func generatorPathsAgree(kind: ModelConfig.Kind) throws {
        let fast = try tinyGenerator(kind: kind, embedding: 6, layers: 2, seed: 9)
        #expect(fast.usesStepKernel)
        let reference = try Generator(referencePathFor: fast.model, vocabulary: fast.vocabulary, pipeline: fast.pipeline)
        #expect(!reference.usesStepKernel)
        let prefix = try fast.encode(prefix: "time traveller").ids
        for seed in [UInt64(1), 2] {
            var a = try TopP(p: 0.9, temperature: 0.8), b = try TopP(p: 0.9, temperature: 0.8)
            var ra = SplitMix64(seed: seed), rb = SplitMix64(seed: seed)
            let x = try fast.generate(prefix: prefix, length: 100, samples: 2, sampler: &a, using: &ra)
            let y = try reference.generate(prefix: prefix, length: 100, samples: 2, sampler: &b, using: &rb)
            #expect(x == y)
        }
        fast.model.resetState()
        try fast.model.forward(inputs: [1, 2], steps: 1, batch: 2)
        let before = fast.model.state
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        _ = try fast.generate(prefix: prefix, length: 10, sampler: &greedy, using: &rng)
        #expect(fast.model.state == before)
    }
}

@Suite struct GenerationStateThreadingTests {
    /// Splitting the products across the worker pool changes nothing: every column is summed
    /// in the same order, so the logits are bit for bit those of the serial step.
    @Test(arguments: [ModelConfig.Kind.rnn, .gru, .lstm])
    func splitProductsGiveIdenticalLogits(kind: ModelConfig.Kind) throws {
        var rng = SplitMix64(seed: 5)
        let config = ModelConfig(kind: kind, vocabularySize: 30, hiddenSize: 256, initialization: .normal(scale: 0.1))
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let serial = try #require(GenerationState(model: model)), split = try #require(GenerationState(model: model))
        serial.parallel = false
        split.parallel = true
        serial.reset(batch: 2)
        split.reset(batch: 2)
        for _ in 0..<8 {
            let ids = [Int32.random(in: 0..<30, using: &rng), Int32.random(in: 0..<30, using: &rng)]
            ids.withUnsafeBufferPointer { serial.step($0.baseAddress!); split.step($0.baseAddress!) }
            for i in 0..<60 { #expect(serial.logits[i] == split.logits[i]) }
        }
    }

    /// The reordered one-layer RNN step at batch 1 (head and next product in one pass) gives
    /// the general path's bits (batch 2, the same token in both rows), split or not.
    @Test(arguments: [ModelConfig.Activation.tanh, .relu])
    func oneLayerRNNPipelineGivesTheGeneralPathsLogits(activation: ModelConfig.Activation) throws {
        var rng = SplitMix64(seed: 8)
        let config = ModelConfig(kind: .rnn, activation: activation, vocabularySize: 30, hiddenSize: 256,
                                 initialization: .normal(scale: 0.05))
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let serial = try #require(GenerationState(model: model)), split = try #require(GenerationState(model: model))
        let general = try #require(GenerationState(model: model))
        serial.parallel = false
        split.parallel = true
        general.parallel = false
        serial.reset(batch: 1)
        split.reset(batch: 1)
        general.reset(batch: 2)
        for t in 0..<20 {
            if t == 12 { serial.reset(batch: 1); split.reset(batch: 1); general.reset(batch: 2) }
            let id = Int32.random(in: 0..<30, using: &rng)
            [id].withUnsafeBufferPointer { serial.step($0.baseAddress!); split.step($0.baseAddress!) }
            [id, id].withUnsafeBufferPointer { general.step($0.baseAddress!) }
            for i in 0..<30 {
                #expect(serial.logits[i] == split.logits[i], "step \(t) logit \(i)")
                #expect(serial.logits[i] == general.logits[i], "step \(t) logit \(i)")
                #expect(serial.logits[i] == general.logits[30 + i], "step \(t) logit \(i)")
            }
        }
    }
}
