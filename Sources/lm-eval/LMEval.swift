import ArgumentParser
import Foundation
import LMData
import LMModelFiles
import LMModels
import LMText
import LMToolSupport

/// `lm-eval`: perplexity of a trained model on a text file.
@main
struct LMEval: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-eval",
        abstract: "Perplexity (and bits per character for character models) of a trained model on a text file.",
        discussion: "The file goes through the model's own preprocessing and vocabulary; the state is carried across the whole file.")

    @Option(help: "Run directory (default: runs/latest).") var model: String = RunDirectory.latest
    @Argument(help: "Text file or registered corpus name (a corpus with splits, such as ptb, is measured on its test text).") var file: String
    @Option(parsing: .unconditional, help: "Window length: the state is carried across windows, so it changes only speed.") var steps = 35
    @Option(parsing: .unconditional, help: "Rows the file is cut into, each one continuous sequence (default 1: the whole file; PyTorch's word_language_model uses 10).") var batch = 1
    @Option(help: "Also write the logits of every prediction (tokens − 1 rows × vocabulary, F32 tensor \"logits\") to this safetensors file (needs --batch 1); an adaptive softmax model writes its exact log-probabilities.") var logits: String?

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if logits != nil && batch != 1 { throw ValidationError("--logits writes one row per position of the file as one sequence; use --batch 1") }
    }

    func run() throws {
        let trained = try RunDirectory.load(model)
        let parts = try CorpusRegistry.standard()?.corpus(file) ?? CorpusRegistry.Corpus(train: file)
        let path = parts.test ?? parts.train
        let pipeline = trained.vocabularyFile.pipeline
        let remedy = "fix the file; the model's vocabulary (\(trained.directory.vocabularyPath)) does not replace invalid UTF-8"
        let stream = try TextError.remedyingInvalidUTF8(remedy) {
            try TokenStream(contentsOfFile: path, vocabulary: trained.vocabulary, pipeline: pipeline)
        }
        let result = try CheckedEvaluation.run(path: path, model: trained.directory.path) {
            try Evaluator.evaluate(trained.model, on: stream, batch: batch, steps: steps)
        }
        if let logits {
            try LogitsFile.write(model: trained, stream: stream, steps: steps, text: path, to: logits)
        }
        var unknown = 0
        for index in 0..<stream.count where stream[index] == 0 { unknown += 1 }
        print("model:         \(trained.directory.path) (\(trained.config.model.kind.rawValue.uppercased())-\(trained.config.model.hiddenSize), \(pipeline.level.rawValue) level)")
        print("file:          \(path): \(stream.count) tokens, \(unknown) outside the vocabulary (<unk>)")
        print(String(format: "cross-entropy: %.4f nats per token", result.loss))
        print(String(format: "perplexity:    %.4f", result.perplexity))
        if pipeline.level == .char {
            print(String(format: "bits per char: %.4f", result.loss / log(2)))
        }
    }
}
