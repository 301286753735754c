import Foundation
import LMData
import LMFileSystem
import LMModels
import LMSettings
import LMText

/// One `lm-eval` run: the cross-entropy and perplexity (and, for a character model, bits per
/// character) of a trained run on a text file, the state carried across the whole file, or
/// across each of `batch` rows cut as PyTorch's `batchify` cuts them (``Evaluator``).
///
/// The file goes through the model's own preprocessing and vocabulary. A registered corpus
/// with splits (ptb) is measured on its test text, one with a validation fraction
/// (tinyshakespeare) on the part of its end it holds out.
///
/// With ``gains`` (the cache pointer, dynamic evaluation) the file is read as one sequence in
/// windows of ``steps`` (the segments of dynamic evaluation), ``batch`` must be 1, and the
/// report names them (``Evaluator/evaluate(_:on:steps:gains:)``).
public struct EvaluationRequest: Sendable {
    /// The run directory.
    public var model: String
    /// Text file or registered corpus name.
    public var file: String
    /// Window length (the state is carried across windows, so it changes only speed), and
    /// dynamic evaluation's segment length (there it changes the result).
    public var steps: Int
    /// Rows the file is cut into, each one continuous sequence (``EvaluationRows``).
    public var batch: Int
    /// Also write the logits of every prediction to this safetensors file (``LogitsFile``; needs
    /// `batch` 1): the trained model's own, without ``gains``.
    public var logits: String?
    /// Report as one JSON object (full precision, for comparing with another implementation)
    /// instead of the text lines.
    public var json: Bool
    /// What the evaluation adds to the model's own predictions (none by default).
    public var gains: EvaluationGains

    public init(model: String = RunDirectory.latest, file: String, steps: Int = 35, batch: Int = 1, logits: String? = nil, json: Bool = false,
                gains: EvaluationGains = EvaluationGains()) {
        self.json = json
        self.gains = gains
        self.model = model
        self.file = file
        self.steps = steps
        self.batch = batch
        self.logits = logits
    }

    /// Loads the run, measures it on the file and writes the report to `output`.
    /// - Throws: ``SettingsError`` for gains that cannot work (keys `gains.*`) or gains with
    ///   a batch other than 1; the run directory's, the corpus's and reading's errors;
    ///   ``ModelFileError`` naming the file for the model's errors, the run for a loss that is
    ///   not finite.
    public func run(writingTo output: any TextOutput) throws {
        defer { output.flush() }
        try gains.validate()
        if !gains.isNone && batch != 1 {
            throw SettingsError(.conflict, EvaluationGains.key, "\(setting: "gains.cachePointer") and \(setting: "gains.dynamicEvaluation") read the text as one sequence; they need batch 1 (got \(batch))")
        }
        let trained = try RunDirectory.load(model)
        let parts = try CorpusRegistry.standard(for: file).corpus(file)
        let path = parts.test ?? parts.train
        let pipeline = trained.vocabularyFile.pipeline
        let remedy = "fix the file; the model's vocabulary (\(trained.directory.vocabularyPath)) does not replace invalid UTF-8"
        var inputs = trained.directory.ownFiles
        inputs.add(path)
        if let logits { try inputs.check(output: logits) }   // before the evaluation, not after it
        var stream = try TextError.remedyingInvalidUTF8(remedy) {
            try TokenStream(contentsOfFile: path, vocabulary: trained.vocabulary, pipeline: pipeline)
        }
        let heldOut = parts.test == nil ? parts.validationFraction : nil
        if let heldOut { stream = try stream.split(validation: heldOut, test: 0).validation }
        let result = try CheckedEvaluation.run(path: path, model: trained.directory.path) {
            gains.isNone ? try Evaluator.evaluate(trained.model, on: stream, batch: batch, steps: steps)
                : try Evaluator.evaluate(trained.model, on: stream, steps: steps, gains: gains)
        }
        if let logits {
            try LogitsFile.write(model: trained, stream: stream, steps: steps, text: path, to: logits, sparing: inputs)
        }
        var unknown = 0
        let unknownID = Int32(trained.vocabulary.unknownID)
        for index in 0..<stream.count where stream[index] == unknownID { unknown += 1 }
        if json {
            var report: [String: Any] = ["model": trained.directory.path, "file": path, "tokens": stream.count, "unknown": unknown,
                                         "rows": EvaluationRows(tokens: stream.count, batch: batch)?.rows ?? 0, "predictions": result.tokens,
                                         "crossEntropy": result.loss, "perplexity": result.perplexity]
            if let heldOut { report["validationFraction"] = heldOut }
            if let pointer = gains.cachePointer {
                report["cachePointer"] = ["window": pointer.window, "theta": pointer.theta, "lambda": pointer.lambda]
            }
            if let dynamic = gains.dynamicEvaluation {
                report["dynamicEvaluation"] = ["learningRate": dynamic.learningRate, "decay": dynamic.decay]
            }
            output.write(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n")
            return
        }
        output.write("model:         \(trained.directory.path) (\(trained.config.model.kind.rawValue.uppercased())-\(trained.config.model.layerWidths), \(pipeline.level.rawValue) level)\n")
        let part = heldOut.map { String(format: " (the last %g%%, held out for validation)", $0 * 100) } ?? ""
        output.write("file:          \(path)\(part): \(stream.count) tokens, \(unknown) outside the vocabulary (<unk>)\n")
        if !gains.isNone { output.write("with:          \(gains.summary)\n") }
        output.write(String(format: "cross-entropy: %.4f nats per token\n", result.loss))
        output.write(String(format: "perplexity:    %.4f\n", result.perplexity))
        if pipeline.level == .char {
            output.write(String(format: "bits per char: %.4f\n", result.loss / log(2)))
        }
    }
}
