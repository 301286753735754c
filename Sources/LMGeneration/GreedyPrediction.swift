import LMModels
import LMTensor
import LMText

/// d2l's `predict(prefix, num_preds)`: the prefix as the model reads it, then `length` greedy
/// tokens from the model's current weights; `lm-train` prints it as its periodic sample.
public struct GreedyPrediction {
    public let generator: Generator
    /// The prefix as the model reads it.
    public let prefix: Generator.Prefix
    /// Tokens generated after the prefix.
    public let length: Int

    /// A prediction after `prefix`; nil when the model cannot read it (nothing is left after
    /// its preprocessing, or the text is invalid).
    public init?(generator: Generator, prefix: String, length: Int) {
        guard let read = try? generator.encode(prefix: prefix) else { return nil }
        self.generator = generator
        self.prefix = read
        self.length = length
    }

    /// The prefix and its greedy continuation.
    public func text() throws -> String {
        var greedy = Greedy()
        var unused = SystemRandomNumberGenerator()   // greedy draws nothing
        let ids = try generator.generate(prefix: prefix.ids, length: length, sampler: &greedy, using: &unused)[0]
        return prefix.text + generator.detokenizer.text(of: ids, after: prefix.ids.last)
    }
}

extension GreedyPrediction {
    /// `lm-train`'s periodic sample: d2l's `predict(prefix, 50)` from the model's current
    /// weights (the same greedy decoding `lm-generate` uses); nil when the model cannot read `prefix`.
    public static func periodicSample(model: RecurrentLM<Float>, vocabularyFile: VocabularyFile,
                                      prefix: String) throws -> (() throws -> String)? {
        GreedyPrediction(generator: try Generator(model: model, vocabularyFile: vocabularyFile), prefix: prefix, length: 50)?.text
    }
}
