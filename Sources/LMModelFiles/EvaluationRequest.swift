import Foundation
import LMData
import LMFileSystem
import LMModels
import LMText

/// One `lm-eval` run: the cross-entropy and perplexity (and, for a character model, bits per
/// character) of a trained run on a text file, the state carried across the whole file, or
/// across each of `batch` rows cut as PyTorch's `batchify` cuts them (``Evaluator``).
///
/// The file goes through the model's own preprocessing and vocabulary. A registered corpus
/// with splits (ptb) is measured on its test text.
public struct EvaluationRequest: Sendable {
    /// The run directory.
    public var model: String
    /// Text file or registered corpus name.
    public var file: String
    /// Window length (the state is carried across windows, so it changes only speed).
    public var steps: Int
    /// Rows the file is cut into, each one continuous sequence (``EvaluationRows``).
    public var batch: Int
    /// Also write the logits of every prediction to this safetensors file (``LogitsFile``; needs `batch` 1).
    public var logits: String?
    /// Report as one JSON object (full precision, for comparing with another implementation)
    /// instead of the text lines.
    public var json: Bool

    public init(model: String = RunDirectory.latest, file: String, steps: Int = 35, batch: Int = 1, logits: String? = nil, json: Bool = false) {
        self.json = json
        self.model = model
        self.file = file
        self.steps = steps
        self.batch = batch
        self.logits = logits
    }

    /// Loads the run, measures it on the file and writes the report to `output`.
    /// - Throws: the run directory's, the corpus's and reading's errors; ``ModelFileError``
    ///   naming the file for the model's errors, the run for a loss that is not finite.
    public func run(writingTo output: any TextOutput) throws {
        defer { output.flush() }
        let trained = try RunDirectory.load(model)
        let parts = try CorpusRegistry.standard(for: file).corpus(file)
        let path = parts.test ?? parts.train
        let pipeline = trained.vocabularyFile.pipeline
        let remedy = "fix the file; the model's vocabulary (\(trained.directory.vocabularyPath)) does not replace invalid UTF-8"
        var inputs = trained.directory.ownFiles
        inputs.add(path)
        if let logits { try inputs.check(output: logits) }   // before the evaluation, not after it
        let stream = try TextError.remedyingInvalidUTF8(remedy) {
            try TokenStream(contentsOfFile: path, vocabulary: trained.vocabulary, pipeline: pipeline)
        }
        let result = try CheckedEvaluation.run(path: path, model: trained.directory.path) {
            try Evaluator.evaluate(trained.model, on: stream, batch: batch, steps: steps)
        }
        if let logits {
            try LogitsFile.write(model: trained, stream: stream, steps: steps, text: path, to: logits, sparing: inputs)
        }
        var unknown = 0
        let unknownID = Int32(trained.vocabulary.unknownID)
        for index in 0..<stream.count where stream[index] == unknownID { unknown += 1 }
        if json {
            let report: [String: Any] = ["model": trained.directory.path, "file": path, "tokens": stream.count, "unknown": unknown,
                                         "rows": EvaluationRows(tokens: stream.count, batch: batch)?.rows ?? 0, "predictions": result.tokens,
                                         "crossEntropy": result.loss, "perplexity": result.perplexity]
            output.write(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n")
            return
        }
        output.write("model:         \(trained.directory.path) (\(trained.config.model.kind.rawValue.uppercased())-\(trained.config.model.layerWidths), \(pipeline.level.rawValue) level)\n")
        output.write("file:          \(path): \(stream.count) tokens, \(unknown) outside the vocabulary (<unk>)\n")
        output.write(String(format: "cross-entropy: %.4f nats per token\n", result.loss))
        output.write(String(format: "perplexity:    %.4f\n", result.perplexity))
        if pipeline.level == .char {
            output.write(String(format: "bits per char: %.4f\n", result.loss / log(2)))
        }
    }
}
