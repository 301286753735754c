import Foundation
import LMData
import LMFileSystem
import LMModelFiles
import LMModels
import LMSettings
import LMTensor
import LMText

/// Everything a run sets up before the first step, from its ``TrainingSettings``: corpus,
/// vocabulary, token streams, model, run directory, and (when resuming) the checkpoint to
/// continue from. Every check that can fail runs before anything is written.
public struct TrainingRun {
    public let trainer: Trainer
    /// The settings with the corpus's defaults filled in (its splits, preprocessing and length).
    public let settings: TrainingSettings
    public let vocabularyFile: VocabularyFile
    public let vocabulary: Vocabulary
    public let directory: RunDirectory
    /// Token counts of the parts, for the user.
    public let trainTokens: Int
    public let validationTokens: Int
    /// The test stream, evaluated at the end when given.
    public let test: TokenStream?
    /// The text the periodic samples start from: the registry entry's, else the corpus's first tokens.
    public let samplePrefix: String
    /// Where training continues from, when resuming.
    public let resumedFrom: String?
    /// Where a fine-tuning stage took its weights from, then what resume skipped or deleted on
    /// the way, one line each.
    public let resumeNotes: [String]
    /// This process's ownership of the run directory, held for the whole run.
    public let lock: RunLock

    /// The share of `<unk>` in the training stream above which training warns (5 %).
    public static let unknownShareWarning = 0.05

    /// The default run directory for a corpus and model kind.
    public static func defaultOutput(corpus: String, kind: ModelConfig.Kind) -> String {
        "runs/" + (corpus == TextInput.standardInput ? "stdin" : URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent) + "-" + kind.rawValue
    }

    /// Prepares a run; throws a clear error (``SettingsError`` for a setting that cannot work)
    /// for anything that would stop training. With `parallel`, this is rank 0 of a
    /// data-parallel run: it prepares the run as one process would, then sends the other ranks
    /// what they need (``TrainingReplica``). `spentBefore`: seconds the program spent before
    /// this call that the time budget counts as set-up (lm-train passes its process's age).
    public init(_ requested: TrainingSettings, parallel: DataParallel? = nil, spentBefore: Double = 0) throws {
        let started = MonotonicClock.seconds() - max(0, spentBefore)
        try requested.validateTraining()
        let output = requested.run.output ?? Self.defaultOutput(corpus: requested.data.corpus, kind: requested.model.kind)
        // An existing run directory is owned at once, so a second trainer stops before any work.
        let claimed = try Self.claimIfExists(output)
        let corpus = try Self.resolveCorpus(requested)
        var settings = corpus.settings
        let vocabularyFile = try Self.vocabulary(for: settings.data, corpus: corpus.input, pipeline: corpus.pipeline)
        let vocabulary = try vocabularyFile.vocabulary()
        settings.model.vocabularySize = vocabulary.count
        try settings.model.validate()
        try Self.checkMemory(settings)
        let streams = try Streams(settings.data, corpus: corpus.input, vocabulary: vocabulary, pipeline: vocabularyFile.pipeline,
                                  resolve: corpus.resolve)
        let directory = RunDirectory(path: output)
        try Self.checkInputs(settings.data, corpus: corpus.input.path, resolve: corpus.resolve, against: directory)
        let config = RunConfig(settings: settings, data: streams.digests, vocabulary: VocabularyDigest(of: vocabularyFile))
        try Self.checkDirectory(directory, config: config, settings: settings.run, vocabularyFile: vocabularyFile)
        if let origin = config.training.finetune { try Self.checkFinetune(origin, model: config.model, vocabularyFile: vocabularyFile) }
        let trainer = try Self.makeTrainer(config: config, streams: streams, directory: directory, parallel: parallel)
        let finetuned = try config.training.finetune.map { try trainer.startFinetune(from: $0) }

        lock = try claimed ?? directory.claim()
        try Self.prepare(directory, for: settings.run, claimedEarly: claimed != nil)
        let origin = try settings.run.resume.map { try trainer.resume(from: $0) }
        resumedFrom = origin?.path
        resumeNotes = (finetuned.map { [$0] } ?? []) + (origin?.notes ?? [])
        try directory.writeVocabulary(vocabularyFile)   // before config.json, which marks a complete run
        try directory.writeConfig(config)
        try directory.markLatest()
        if let parallel {
            try TrainingReplica.share(config: config, directory: directory, train: streams.train, validation: streams.validation, over: parallel)
        }
        trainer.timeBudget?.testTokens = streams.test?.count ?? 0
        if let budget = trainer.timeBudget, let test = streams.test, let gains = config.training.gains {
            try budget.measureGains(gains, model: trainer.model, on: streams.validation ?? test, steps: config.training.steps)
        }
        trainer.timeBudget?.setUpSeconds = MonotonicClock.seconds() - started
        self.trainer = trainer
        self.settings = settings
        self.vocabularyFile = vocabularyFile
        self.vocabulary = vocabulary
        self.directory = directory
        trainTokens = streams.train.count
        validationTokens = streams.validation?.count ?? 0
        test = streams.test
        samplePrefix = corpus.samplePrefix ?? Self.leadingText(of: streams.train, vocabulary: vocabulary, pipeline: vocabularyFile.pipeline)
    }

    /// The trainer over the streams; a corpus too short for one batch says what to lower.
    static func makeTrainer(config: RunConfig, streams: Streams, directory: RunDirectory, parallel: DataParallel?) throws -> Trainer {
        var generators = Trainer.generators(seed: config.training.seed)
        let network = try RecurrentLM<Float>(config: config.model, using: &generators.initialization)
        do {
            return try Trainer(config: config, model: network, train: streams.train, validation: streams.validation,
                               directory: directory, parallel: parallel)
        } catch let error as SamplerError {
            let data = config.settings.data
            let heldOut = data.validFile == nil && data.validationFraction > 0
                ? " (after data.validationFraction \(data.validationFraction) held out \(streams.validation?.count ?? 0) tokens for validation; lower it or give data.validFile)" : ""
            throw TrainingError.corpusTooShort("\(streams.corpusPath): \(error)\(heldOut)")
        }
    }

    /// No `latest` beside the directory that is not LMKit's link; a new run needs an empty
    /// directory (or `overwrite`); a resumed one the same settings,
    /// data and vocabulary as the run it continues.
    static func checkDirectory(_ directory: RunDirectory, config: RunConfig, settings run: RunSettings,
                               vocabularyFile: VocabularyFile) throws {
        _ = try directory.latestLink()   // a `latest` that is not LMKit's link is refused before anything is written
        let hasRun = FileManager.default.fileExists(atPath: directory.configPath)
        if run.resume != nil {
            guard hasRun else {
                throw TrainingError.resumeMismatch("\(directory.path) holds no run (no config.json); train without run.resume first")
            }
            let saved = try directory.readConfig()
            try checkResumable(saved: saved, requested: config, directory: directory.path)
            let savedVocabulary = try directory.readVocabulary(for: saved)
            guard savedVocabulary.tokens == vocabularyFile.tokens, savedVocabulary.pipeline == vocabularyFile.pipeline else {
                throw TrainingError.resumeMismatch("the vocabulary or preprocessing differs from \(directory.vocabularyPath)")
            }
        } else if hasRun && !run.overwrite {
            throw alreadyHoldsRun(directory.path)
        }
    }

    /// A run found where a new one was to start.
    static func alreadyHoldsRun(_ path: String) -> TrainingError {
        .invalidSetting("\(path) already holds a run; pass run.resume to continue it, run.overwrite to replace it, or run.output to choose another directory")
    }

    /// Refuses a model whose estimated memory exceeds what the machine has, naming the setting to lower.
    static func checkMemory(_ settings: TrainingSettings) throws {
        let model = settings.model, optimizer = settings.optimizer
        let copies: Int
        switch optimizer.kind {
        case .sgd: copies = 0
        case .adam: copies = 2
        case .rmsprop: copies = optimizer.momentum > 0 ? 2 : 1
        }
        let estimate = try MemoryEstimate(config: model, steps: settings.data.longestWindow, batch: settings.data.batch, optimizerCopies: copies)
        // Each setting named with its value, so an out-of-scale one (model.layers 1000000000) stands out.
        let (hidden, layers, batch, steps) = (model.layerWidths, model.layers, settings.data.batch, settings.data.steps)
        let embedding = model.embeddingSize.map { ", model.embeddingSize (\($0))" } ?? ""
        let advice: String
        switch estimate.largestPart {
        case "parameters": advice = "lower model.hiddenSize (\(hidden)), model.layers (\(layers))\(embedding)"
        case "head": advice = "lower data.batch (\(batch)) or data.steps (\(steps)) (the output head holds steps × batch × \(model.vocabularySize) logits)"
        case "input": advice = "lower data.batch (\(batch)), data.steps (\(steps))\(embedding)"
        default: advice = "lower data.batch (\(batch)), data.steps (\(steps)), model.hiddenSize (\(hidden)) or model.layers (\(layers))"
        }
        try SystemMemory.check(estimate, advice: advice)
    }

    /// Settings that may change on resume: how long to train (epochs, time budget), how
    /// checkpoints are kept and what the final test adds (``TrainingSettings/gains``).
    /// The others are compared as settings (key paths such as `optimizer.lr` name the
    /// differences), so what older runs wrote differently (`decay`, `testModel` "last") matches.
    static func checkResumable(saved: RunConfig, requested: RunConfig, directory: String) throws {
        var a = saved, b = requested
        try checkSameData(saved: &a, requested: &b, directory: directory)
        var old = a.settings, new = b.settings
        for setting in [\TrainingSettings.run.epochs, \.run.checkpointEvery, \.run.keep] {
            old[keyPath: setting] = 0
            new[keyPath: setting] = 0
        }
        (old.gains, new.gains) = (EvaluationGains(), EvaluationGains())
        old.run.timeBudget = nil
        new.run.timeBudget = nil
        guard old != new else { return }
        throw TrainingError.resumeMismatch("the settings differ from the checkpoint's in \(directory)/config.json: "
            + differences(old, new).joined(separator: "; "))
    }
}
