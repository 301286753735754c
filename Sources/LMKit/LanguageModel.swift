import LMData
import LMGeneration
import LMModelFiles
import LMModels
import LMSettings
import LMTraining

/// A trained recurrent language model: a run directory loaded once, ready to continue text,
/// score text and be exported. The one type most programs need; `lm-generate`, `lm-eval` and
/// `lm-convert` do the same through the same library calls.
///
/// Not thread-safe: the model carries its recurrent state between calls. Use one instance per
/// thread, or serialise calls.
public final class LanguageModel {
    /// The run directory the model was loaded from.
    public let path: String
    /// The model's architecture and the settings it was trained with.
    public let configuration: RunConfig
    private let trained: TrainedModel
    /// The generator behind ``generate(prefix:length:sampling:seed:onPiece:)``: the model's
    /// preprocessing, vocabulary, single step and decoding strategies, for programs that run
    /// many continuations at once (LMGeneration's `GenerationBatch`, as `lm-serve` does).
    public let generator: Generator

    /// Loads the run directory `path` written by ``train(_:onEpoch:)`` or `lm-train`
    /// (`config.json`, `vocab.json`, `model.safetensors`).
    /// - Throws: the run directory's errors, each naming the file and the problem.
    public init(contentsOf path: String = RunDirectory.latest) throws {
        do {
            trained = try RunDirectory.load(path)
            generator = try Generator(model: trained.model, vocabularyFile: trained.vocabularyFile)
        } catch let error as ModelError {
            throw ModelFileError.model(path: path, error)
        }
        self.path = path
        configuration = trained.config
    }

    /// Trains a model as `lm-train` does (the same set-up, loop, checkpoints and run directory),
    /// then loads it. A SIGINT, SIGTERM, SIGHUP or SIGPIPE stops training after the current step with a
    /// checkpoint and throws ``LanguageModelError/interrupted(signal:checkpoint:)``.
    /// - Parameter onEpoch: called after every epoch with its report (perplexities, tokens/s).
    @discardableResult
    public static func train(_ settings: TrainingSettings, onEpoch: @escaping (EpochReport) -> Void = { _ in }) throws
        -> LanguageModel {
        let run = try TrainingRun(settings)
        let outcome = try TrainingSession(run, sample: nil).start(reporting: EpochCallback(onEpoch: onEpoch))
        if case let .interrupted(signal, checkpoint) = outcome {
            throw LanguageModelError.interrupted(signal: signal, checkpoint: checkpoint)
        }
        return try LanguageModel(contentsOf: run.directory.path)
    }

    /// The number of token types the model knows (`<unk>` included).
    public var vocabularySize: Int { trained.vocabulary.count }

    /// Continues `prefix` by `length` tokens, exactly as `lm-generate --prefix` with the same
    /// strategy and seed: the prefix goes through the model's own preprocessing (a prefix the
    /// preprocessing changes is continued as changed), the state is warmed over it, and
    /// `<unk>` is never emitted.
    /// - Parameters:
    ///   - length: new tokens, ≥ 0.
    ///   - sampling: the decoding strategy.
    ///   - seed: the sampler's seed (greedy draws nothing).
    ///   - continuingLine: continue the prefix's last line (no end-of-sentence token after it,
    ///     as `lm-generate --continue-line`) instead of starting a new one.
    ///   - onPiece: called with each new token's text as it is generated (streaming; beam
    ///     search finds its best continuation only at the end, and hands its pieces over then).
    /// - Returns: the continuation's text, without the prefix.
    @discardableResult
    public func generate(prefix: String, length: Int = 50, sampling: Sampling = .greedy, seed: UInt64 = 0,
                         continuingLine: Bool = false, onPiece: (String) -> Void = { _ in }) throws -> String {
        let read = try generator.encode(prefix: prefix, continuingLine: continuingLine)
        var text = ""
        try generator.continue(read, length: length, sampling: sampling.options, seed: seed) { piece in
            text += piece
            onPiece(piece)
        }
        return text
    }

    /// The log-probability the model gives each token of `text` after the ones before it,
    /// and their perplexity (what `lm-eval` reports for a file, for one text read as one
    /// sequence).
    /// - Throws: ``LanguageModelError/tooShort(tokens:)`` when `text` holds fewer than two
    ///   tokens after preprocessing.
    public func score(_ text: String) throws -> Score {
        try score(generator.encode(prefix: text))
    }

    /// The log-probability of each token of a text already read by ``generator`` (its
    /// `encode(prefix:)`), and their perplexity, as ``score(_:)-(String)``.
    /// - Throws: ``LanguageModelError/tooShort(tokens:)`` when `read` holds fewer than two tokens.
    public func score(_ read: Generator.Prefix) throws -> Score {
        guard read.ids.count >= 2 else { throw LanguageModelError.tooShort(tokens: read.ids.count) }
        let stream = try TokenStream(ids: read.ids, vocabularySize: vocabularySize)
        let logits = try Evaluator.logits(trained.model, on: stream, steps: configuration.training.steps)
        return Score(tokens: read.tokens, logits: logits, ids: read.ids, vocabularySize: vocabularySize)
    }

    /// Writes the weights as a PyTorch `state_dict` in safetensors, with the names and
    /// layouts of PyTorch's word_language_model `RNNModel` (as `lm-convert export`).
    public func exportPyTorch(to output: String) throws {
        try PyTorchConversion.export(run: path, to: output)
    }
}

/// What ``LanguageModel`` throws beyond the library's own errors.
public enum LanguageModelError: Error, Equatable, CustomStringConvertible {
    /// Training stopped on a signal after writing the checkpoint at `checkpoint`.
    case interrupted(signal: Int32, checkpoint: String)
    /// A text to score holds fewer than the two tokens one prediction needs.
    case tooShort(tokens: Int)

    public var description: String {
        switch self {
        case let .interrupted(signal, checkpoint):
            "training stopped by \(Interrupts.name(signal)); the checkpoint is \(checkpoint)"
        case let .tooShort(tokens):
            "a text of \(tokens) token\(tokens == 1 ? "" : "s") has nothing to score (at least 2 are needed)"
        }
    }
}

/// Forwards epoch reports to a closure; the rest of a session's reporting is for terminals.
private struct EpochCallback: TrainingObserver {
    let onEpoch: (EpochReport) -> Void
    func update(_ progress: TrainingProgress) {}
    func epochEnded(_ report: EpochReport, sample: String?) { onEpoch(report) }
    func finish() {}
    func say(_ text: String) {}
}
