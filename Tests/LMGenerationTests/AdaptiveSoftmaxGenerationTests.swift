import Foundation
@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

/// Generation from an adaptive softmax model runs through `model.forward`, whose logits are
/// the exact log-probabilities: greedy is d2l's predict on them, and every row is a distribution.
@Suite struct AdaptiveSoftmaxGenerationTests {
    @Test(arguments: [nil, 5] as [Int?])
    func greedyReadsTheFullDistribution(embedding: Int?) throws {
        let vocabulary = try Vocabulary(tokens: ["<unk>", " ", "e", "t", "r", "l", "a", "i", "m", "v", "h"])
        var config = ModelConfig(kind: .lstm, vocabularySize: vocabulary.count, embeddingSize: embedding, hiddenSize: 12,
                                 initialization: .normal(scale: 0.8))
        config.adaptiveSoftmax = .init(cutoffs: [3, 7], divValue: 2)
        var rng = SplitMix64(seed: 1)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let generator = try Generator(model: model, vocabulary: vocabulary, pipeline: TextPipeline())
        #expect(!generator.usesStepKernel)
        let prefix = try generator.encode(prefix: "time traveller")
        var greedy = Greedy()
        var sampler = SplitMix64(seed: 0)
        let ids = try generator.generate(prefix: prefix.ids, length: 30, sampler: &greedy, using: &sampler)[0]
        #expect(ids == (try handRolledGreedy(model, prefix: prefix.ids, length: 30)))
        let row = model.logits.storage
        #expect(row.count == vocabulary.count)
        #expect(abs(row.reduce(0.0) { $0 + exp(Double($1)) } - 1) < 1e-5)
    }
}
