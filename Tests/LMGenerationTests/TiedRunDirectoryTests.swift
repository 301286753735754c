import Foundation
import LMTestSupport
@testable import LMGeneration
import LMModelFiles
import LMModels
import LMSettings
import LMText
import Testing

/// A tied model with two biases per gate, saved to a run directory and loaded back as
/// lm-generate and lm-eval load it: the embedding is stored once (no `output.W_hq`), the
/// b_hh tensors are there, and the loaded model gives the same logits.
@Suite struct TiedRunDirectoryTests {
    @Test(arguments: [ModelConfig.Kind.gru, .lstm])
    func savedTiedModelLoadsWithTheSameLogits(kind: ModelConfig.Kind) throws {
        let root = TemporaryFolders.make("lmtied")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let corpus = root + "/corpus.txt"
        try "the time traveller was expounding a recondite matter to us".write(toFile: corpus, atomically: true, encoding: .utf8)
        let vocabulary = try VocabularyFile.build(corpus: corpus, pipeline: TextPipeline(), settings: .init())
        let v = try vocabulary.vocabulary().count
        var config = ModelConfig(kind: kind, vocabularySize: v, embeddingSize: 10, hiddenSize: 10, layers: 2, initialization: .pytorch)
        config.tied = true
        config.recurrentBias = true
        config.forgetBias = kind == .lstm ? 1 : nil
        var rng = SplitMix64(seed: 8)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let directory = RunDirectory(path: root + "/run")
        try directory.create()
        try directory.writeConfig(RunConfig(model: config, training: TrainingOptions(corpus: corpus)))
        try directory.writeVocabulary(vocabulary)
        try directory.writeWeights(model)

        let (tensors, _) = try SafeTensors.read(from: directory.weightsPath)
        let names = Set(tensors.map(\.name))
        #expect(!names.contains("output.W_hq") && names.contains("embedding.W") && names.contains("output.b_q"))
        #expect(names.contains("\(kind.rawValue).1.b_hh") && tensors.count == model.parameters.count)

        let loaded = try RunDirectory.load(directory.path)
        #expect(loaded.model.config == config && loaded.model.outputLayer.isTied)
        let ids = (0..<12).map { Int32($0 % v) }
        try model.forward(inputs: ids, steps: 6, batch: 2)
        try loaded.model.forward(inputs: ids, steps: 6, batch: 2)
        #expect(loaded.model.logits == model.logits)
        // And generation from the loaded run follows the same logits as its window forward.
        let generator = try Generator(model: loaded.model, vocabularyFile: loaded.vocabularyFile)
        let reference = try Generator(referencePathFor: loaded.model, vocabulary: loaded.vocabulary, pipeline: loaded.vocabularyFile.pipeline)
        var a = Greedy(), b = Greedy()
        var ra = SplitMix64(seed: 1), rb = SplitMix64(seed: 1)
        let prefix = try generator.encode(prefix: "time").ids
        #expect(try generator.generate(prefix: prefix, length: 30, sampler: &a, using: &ra)
                == reference.generate(prefix: prefix, length: 30, sampler: &b, using: &rb))
    }
}
