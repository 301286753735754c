@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

/// A word model with `<eos>` after every line, and `<unk>` at id 2 (as a tokenizer.json
/// trained without special tokens has it): how the prefix ends and what is masked.
@Suite struct PrefixLineTests {
    static func wordGenerator() throws -> Generator {
        let vocabulary = try Vocabulary(tokens: ["the", "<eos>", "<unk>", "market", "fell", "stock"])
        let config = ModelConfig(kind: .lstm, vocabularySize: vocabulary.count, embeddingSize: 4, hiddenSize: 7,
                                 initialization: .normal(scale: 1))
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .word, endOfLine: true)
        return try Generator(model: model, vocabulary: vocabulary, pipeline: pipeline)
    }

    @Test func continuingLineLeavesOutTheEndOfLine() throws {
        let generator = try Self.wordGenerator()
        #expect(try generator.encode(prefix: "the stock market").tokens == ["the", "stock", "market", "<eos>"])
        #expect(try generator.encode(prefix: "the stock market", continuingLine: true).tokens == ["the", "stock", "market"])
        // Only the last line continues: the lines before it are whole.
        #expect(try generator.encode(prefix: "the market fell\nthe stock", continuingLine: true).ids == [0, 3, 4, 1, 0, 5])
        #expect(try generator.encode(prefix: "the stock fell", continuingLine: true).text == "the stock fell")
        // Unknown words map to <unk>'s own id.
        let read = try generator.encode(prefix: "the bond market", continuingLine: true)
        #expect(read.ids == [0, 2, 3] && read.unknownTokens == ["bond"])
    }

    /// `<unk>` is masked at its own id, whatever it is, for every strategy.
    @Test func unknownIsMaskedAtItsOwnId() throws {
        let generator = try Self.wordGenerator()
        for p in generator.model.parameters where p.isVector {   // make <unk> the likeliest output
            if p.count == 6 { p.value[2] = 50 }
        }
        var greedy = Greedy(), rng = SplitMix64(seed: 1)
        let masked = try generator.generate(prefix: [0, 5], length: 30, sampler: &greedy, using: &rng)[0]
        #expect(!masked.contains(2) && !masked.isEmpty)
        let allowed = try generator.generate(prefix: [0, 5], length: 30, sampler: &greedy, using: &rng, allowUnknown: true)[0]
        #expect(allowed.allSatisfy { $0 == 2 })
        let beams = try generator.beamSearch(prefix: [0, 5], length: 10, search: BeamSearch(beams: 3))
        #expect(beams.allSatisfy { !$0.tokens.contains(2) })
    }
}
