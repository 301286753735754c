import Foundation
import LMData
import LMFileSystem
import LMModelFiles
import LMModels
import LMText

/// Everything `lm-train` sets up before the first step: corpus, vocabulary, token streams,
/// model, run directory, and (with `resume`) the newest checkpoint. Every check that can fail
/// runs before anything is written.
public struct TrainingRun {
    public let trainer: Trainer
    public let vocabularyFile: VocabularyFile
    public let vocabulary: Vocabulary
    public let directory: RunDirectory
    /// Token counts of the parts, for the user.
    public let trainTokens: Int
    public let validationTokens: Int
    /// The test stream, evaluated at the end when given.
    public let test: TokenStream?
    /// Where training continues from, when resuming.
    public let resumedFrom: String?
    /// What resume skipped or deleted on the way, one line each.
    public let resumeNotes: [String]
    /// This process's ownership of the run directory, held for the whole run.
    public let lock: RunLock

    /// The default run directory for a corpus and model kind.
    public static func defaultOutput(corpus: String, kind: ModelConfig.Kind) -> String {
        "runs/" + (corpus == TextInput.standardInput ? "stdin" : URL(fileURLWithPath: corpus).deletingPathExtension().lastPathComponent) + "-" + kind.rawValue
    }

    /// Prepares a run; throws a clear error for anything that would stop training. With
    /// `parallel`, this is rank 0 of a data-parallel run: it prepares the run as one process
    /// would, then sends the other ranks what they need (``TrainingReplica``).
    public init(_ request: Request, parallel: DataParallel? = nil) throws {
        var options = request.training
        try options.validate()
        // An existing run directory is owned at once, so a second trainer stops before any work.
        let claimed = try Self.claimIfExists(request.output ?? Self.defaultOutput(corpus: options.corpus, kind: request.model.kind))
        let registry = try CorpusRegistry.standard()
        func resolve(_ path: String) throws -> String { try registry?.resolve(path) ?? path }
        // A registered corpus with splits (ptb) brings its validation and test texts, its
        // preprocessing and, unless --max-tokens is given, is used whole.
        let parts = try registry?.corpus(options.corpus) ?? CorpusRegistry.Corpus(train: options.corpus)
        let corpusPath = parts.train
        if options.validFile == nil && options.validationFraction == 0 { options.validFile = parts.valid }
        if options.testFile == nil { options.testFile = parts.test }
        if !request.maxTokensGiven && parts.hasSplits { options.maxTokens = nil }
        var pipeline = request.pipeline
        if let choice = request.pipelineChoice, let defaults = parts.pipeline {
            pipeline = choice.over(defaults).applied(to: TextPipeline())
        }
        // Opened once: a stream is spooled, so the vocabulary and the token stream read the same bytes.
        let corpus = try TextInput(path: corpusPath, recordsDigest: true)

        // Vocabulary: given, or built from the whole corpus as d2l's load_corpus_time_machine.
        let vocabularyFile: VocabularyFile
        if let path = request.vocabularyFile {
            vocabularyFile = try VocabularyFile.load(from: path)
        } else {
            vocabularyFile = try VocabularyFile.build(corpus: corpus, pipeline: pipeline, settings: .init())
        }
        let vocabulary = try vocabularyFile.vocabulary()
        pipeline = vocabularyFile.pipeline
        var model = request.model
        model.vocabularySize = vocabulary.count
        try model.validate()
        try Self.checkMemory(model: model, options: options)

        // Streams: the corpus (cut to max-tokens), then validation from a file or the stream's end.
        var stream = try TokenStream(contentsOf: corpus, vocabulary: vocabulary, pipeline: pipeline,
                                     maxTokens: options.maxTokens ?? -1)
        var data = RunData(corpus: try corpus.contentDigest())
        var validation: TokenStream? = nil
        if let file = options.validFile {
            let input = try TextInput(path: try resolve(file), recordsDigest: true)
            validation = try TokenStream(contentsOf: input, vocabulary: vocabulary, pipeline: pipeline)
            data.valid = try input.contentDigest()
        } else if options.validationFraction > 0 {
            let split = try stream.split(validation: options.validationFraction, test: 0)
            stream = split.train
            validation = split.validation
        }
        if let validation, validation.count < 2 {
            if let file = options.validFile {
                throw TrainingError.corpusTooShort("\(file): the validation file holds \(validation.count) tokens after preprocessing; at least 2 are needed to measure perplexity (use a longer --valid file)")
            }
            let needed = String(format: "; raise --val-fraction to at least %.4f", 2.0 / Double(stream.count + validation.count))
            throw TrainingError.corpusTooShort("\(corpusPath): the validation part (--val-fraction \(options.validationFraction)) holds \(validation.count) tokens; at least 2 are needed to measure perplexity\(needed)")
        }
        test = try options.testFile.map {
            let input = try TextInput(path: try resolve($0), recordsDigest: true)
            defer { data.test = try? input.contentDigest() }
            return try TokenStream(contentsOf: input, vocabulary: vocabulary, pipeline: pipeline)
        }

        let output = request.output ?? Self.defaultOutput(corpus: options.corpus, kind: model.kind)
        let directory = RunDirectory(path: output)
        let config = RunConfig(model: model, training: options, data: data)
        let hasRun = FileManager.default.fileExists(atPath: directory.configPath)
        if request.resume {
            guard hasRun else {
                throw TrainingError.resumeMismatch("\(output) holds no run (no config.json); train without --resume first")
            }
            let saved = try directory.readConfig()
            try Self.checkResumable(saved: saved, requested: config, directory: output)
            let savedVocabulary = try directory.readVocabulary()
            guard savedVocabulary.tokens == vocabularyFile.tokens, savedVocabulary.pipeline == pipeline else {
                throw TrainingError.resumeMismatch("the vocabulary or preprocessing differs from \(directory.vocabularyPath)")
            }
        } else if hasRun && !request.overwrite {
            throw TrainingError.invalidSetting("\(output) already holds a run; pass --resume to continue it, --overwrite to replace it, or --out to choose another directory")
        }

        var generators = Trainer.generators(seed: options.seed)
        let network = try RecurrentLM<Float>(config: model, using: &generators.initialization)
        do {
            trainer = try Trainer(config: config, model: network, train: stream, validation: validation, directory: directory,
                                  parallel: parallel)
        } catch let error as SamplerError {
            let heldOut = options.validFile == nil && options.validationFraction > 0
                ? " (after --val-fraction \(options.validationFraction) held out \(validation?.count ?? 0) tokens for validation; lower it or pass --valid FILE)" : ""
            throw TrainingError.corpusTooShort("\(corpusPath): \(error)\(heldOut)")
        }

        lock = try claimed ?? directory.claim()
        try Self.prepare(directory, for: request, claimedEarly: claimed != nil)
        if request.resume {
            let origin = try trainer.resume(from: request.resumePoint)
            resumedFrom = origin.path
            resumeNotes = origin.notes
        } else {
            resumedFrom = nil
            resumeNotes = []
        }
        try directory.writeVocabulary(vocabularyFile)   // before config.json, which marks a complete run
        try directory.writeConfig(config)
        try directory.markLatest()
        if let parallel {
            try TrainingReplica.share(config: config, directory: directory, train: stream, validation: validation, over: parallel)
        }
        self.vocabularyFile = vocabularyFile
        self.vocabulary = vocabulary
        self.directory = directory
        trainTokens = stream.count
        validationTokens = validation?.count ?? 0
    }

    /// Refuses a model whose estimated memory exceeds what the machine has, naming the flag to lower.
    static func checkMemory(model: ModelConfig, options: TrainingOptions) throws {
        let copies: Int
        switch options.optimizer {
        case .sgd: copies = 0
        case .adam: copies = 2
        case .rmsprop: copies = options.momentum > 0 ? 2 : 1
        }
        let estimate = MemoryEstimate(config: model, steps: options.steps, batch: options.batch, optimizerCopies: copies)
        let advice: String
        switch estimate.largestPart {
        case "parameters": advice = "lower --hidden (or --layers, --embedding)"
        case "head": advice = "lower --batch or --steps (the output head holds steps × batch × \(model.vocabularySize) logits)"
        case "input": advice = "lower --embedding, --batch or --steps"
        default: advice = "lower --batch, --steps or --hidden"
        }
        try SystemMemory.check(estimate, advice: advice)
    }

    /// Settings that may change on resume: how long to train and how checkpoints are kept.
    static func checkResumable(saved: RunConfig, requested: RunConfig, directory: String) throws {
        var a = saved, b = requested
        try checkSameData(saved: &a, requested: &b, directory: directory)
        for config in [\RunConfig.training.epochs, \RunConfig.training.checkpointEvery, \RunConfig.training.keep] {
            a[keyPath: config] = 0
            b[keyPath: config] = 0
        }
        guard a != b else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func flatten(_ config: RunConfig) -> [String: String] {
            guard let data = try? encoder.encode(config),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            var result: [String: String] = [:]
            func walk(_ value: Any, _ prefix: String) {
                if let dictionary = value as? [String: Any] {
                    for (key, inner) in dictionary { walk(inner, prefix.isEmpty ? key : prefix + "." + key) }
                } else {
                    result[prefix] = "\(value)"
                }
            }
            walk(object, "")
            return result
        }
        let old = flatten(a), new = flatten(b)
        let differences = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
            .map { "\($0) was \(old[$0] ?? "unset"), now \(new[$0] ?? "unset")" }
        throw TrainingError.resumeMismatch("the settings differ from the checkpoint's in \(directory)/config.json: "
            + differences.joined(separator: "; "))
    }
}
