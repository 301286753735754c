import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
import LMTraining

/// Chainer's "simple sequence" experiment through the language-model ``Trainer``: the
/// counting sequence `1 22 333 …` (``CountingSequence``) as the training stream, a second,
/// identical stream for validation (Chainer generates `train` and `test` alike), the
/// parallel-sequential sampler with the state carried (the BPTT updater), and after every
/// epoch the validation loss and accuracy measured as Chainer's `Evaluator` does
/// (``Accuracy``).
///
/// The run directory receives what any run does (`config.json`, `log.jsonl`, `curve.svg`,
/// `model.safetensors`, `checkpoints/`); there is no vocabulary file, since the ids are the
/// counted values themselves.
public struct CountingRun {
    /// The trainer (its ``Trainer/onEpoch`` and ``Trainer/onProgress`` are free for the caller).
    public let trainer: Trainer
    /// The held-out counting stream.
    public let validation: TokenStream
    /// Where the run is written.
    public let directory: RunDirectory
    /// The training stream's length in tokens.
    public let trainTokens: Int
    /// This process's ownership of the run directory, held for the whole run.
    public let lock: RunLock

    /// How the weights start.
    public enum WeightStart: Sendable, Equatable {
        /// As the model configuration's `initialization` says.
        case configured
        /// Chainer's defaults for the tutorial's `RNN` (`EmbedID`, `Linear` layers): the
        /// embedding N(0, 1), every other weight matrix LeCun normal N(0, 1/fan_in) (fan_in =
        /// its rows), biases zero. With these the validation accuracy climbs as in the
        /// tutorial's table; Xavier or a small normal start counts less reliably.
        case chainer
    }

    /// Prepares a run: `model.vocabularySize` becomes `vocabularySize`, the options' sampler
    /// becomes `.parallel` and its corpus `"counting"`.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for bad options or when `output` already
    ///   holds a run and `overwrite` is false; ``ToyTaskError`` for a bad vocabulary or repeat count.
    ///
    /// With `start` `.chainer`, record `.normal(scale: 1/√hidden)` as the model's
    /// initialization: that is exact for every matrix but the embedding when the embedding is
    /// as wide as the hidden layer (the tutorial's 100 and 100).
    public init(model: ModelConfig, training: TrainingOptions, vocabularySize: Int = 10, repeats: Int = 100,
                start: WeightStart = .configured, output: String, overwrite: Bool) throws {
        var options = training
        options.corpus = "counting"
        options.sampler = .parallel
        options.maxTokens = nil
        options.validationFraction = 0
        try options.validate()
        var model = model
        model.vocabularySize = vocabularySize
        try model.validate()
        let sequence = try CountingSequence(vocabularySize: vocabularySize, repeats: repeats)
        let stream = try sequence.tokenStream()
        guard stream.count >= max(2, options.batch) else {
            throw TrainingError.corpusTooShort("the counting sequence has \(stream.count) tokens, fewer than data.batch \(options.batch); lower data.batch")
        }
        let directory = RunDirectory(path: output)
        if FileManager.default.fileExists(atPath: directory.configPath) && !overwrite {
            throw TrainingError.invalidSetting("\(output) already holds a run; pass run.overwrite to replace it, or run.output to choose another directory")
        }
        var generators = Trainer.generators(seed: options.seed)
        let network = try RecurrentLM<Float>(config: model, using: &generators.initialization)
        if start == .chainer {
            for p in network.parameters {
                let scale = p.name == "embedding.W" ? 1 : 1 / Double(p.rows).squareRoot()
                Initializer.initialize(p, scheme: .normal(scale: scale), gateWidth: p.cols, using: &generators.initialization)
            }
        }
        let config = RunConfig(model: model, training: options)
        trainer = try Trainer(config: config, model: network, train: stream, validation: nil, directory: directory)
        lock = try directory.claim()
        directory.removeDebris()
        try directory.removeRunFiles()
        try directory.writeConfig(config)
        self.validation = try sequence.tokenStream()
        self.directory = directory
        self.trainTokens = stream.count
    }

    /// Validation loss and accuracy of the model now (Chainer's evaluator: batch cursors,
    /// state reset at the start of the pass).
    public func validate() throws -> Accuracy.Result {
        let options = trainer.config.training
        return try Accuracy.evaluate(trainer.model, on: validation, batch: options.batch, steps: options.steps)
    }
}
