import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
import LMTensor
import LMText

/// One prepared run trained to the end (or to a signal), with what happens told to an
/// observer: the corpus and model, each epoch, the samples, the closing summary, the test
/// perplexity and what was written.
public struct TrainingSession {
    public let run: TrainingRun
    /// Produces the periodic sample from the model's current weights (d2l's `predict`).
    public let sample: (() throws -> String)?

    public init(_ run: TrainingRun, sample: (() throws -> String)?) {
        self.run = run
        self.sample = sample
    }

    /// Trains, reporting to `observer`. Installs the interrupt handlers first: a signal
    /// stops after the current step with a checkpoint (the outcome says which).
    public func start<Observer: TrainingObserver>(reporting observer: Observer) throws -> TrainingOutcome {
        let trainer = run.trainer
        let config = trainer.config
        let model = config.model
        var display = observer
        let unknown = config.data?.unknownShare ?? 0
        display.say("corpus \(config.training.corpus): \(run.trainTokens) training tokens"
              + (run.validationTokens > 0 ? ", \(run.validationTokens) validation" : "")
              + ", vocabulary \(run.vocabulary.count) (\(run.vocabularyFile.pipeline.summary))"
              + (unknown > 0 ? String(format: "; %.1f %% of the training tokens are <unk>", unknown * 100) : ""))
        if unknown > TrainingRun.unknownShareWarning {
            let share = String(format: "%.1f %% of the training tokens are <unk>", unknown * 100)
            if let given = run.settings.data.vocabulary {
                display.warn(share + ": the vocabulary \(given) (data.vocabulary) covers little of this corpus, so the model "
                    + "learns to predict <unk> and its perplexity means little; build the vocabulary from this corpus")
            } else {
                display.warn(share + " (written so in the corpus): the model learns to predict <unk>, and its perplexity means less than it seems")
            }
        }
        display.say("model \(model.kind.rawValue.uppercased())-\(model.layerWidths) ×\(model.layers), "
              + (model.embeddingSize.map { "embedding \($0)" } ?? "one-hot input")
              + ", \(trainer.model.parameterCount) parameters; run directory \(run.directory.path)")
        for note in run.resumeNotes { display.say(note) }
        if run.validationTokens == 0, let uses = Self.validationUser(config.training) {
            display.say("\(uses) watches the training perplexity: there is no validation data (data.validFile or data.validationFraction)")
        }
        if let from = run.resumedFrom { display.say("resuming from \(from) (epoch \(trainer.completedEpochs) done)") }
        trainer.onProgress = { display.update($0) }
        trainer.onEpoch = { display.epochEnded($0, sample: $1) }
        if let sample { trainer.sample = { _ in try sample() } }
        Interrupts.install()
        let windowsBefore = trainer.windowsDone
        let outcome = try trainer.train()
        display.finish()
        switch outcome {
        case let .interrupted(signal, checkpoint):
            display.say("\(Interrupts.name(signal)): stopped after the current step; checkpoint \(checkpoint)")
            display.say("continue with the same command and run.resume")
        case let .finished(report), let .budgetSpent(report):
            if case .budgetSpent = outcome {
                display.say(Self.budgetNote(report, config.training, trained: trainer.windowsDone != windowsBefore))
            }
            guard let report else { break }
            var summary = String(format: "done: %d epochs, train perplexity %.3f", report.epoch, report.trainPerplexity)
            if let validation = report.validationPerplexity { summary += String(format: ", validation %.3f", validation) }
            summary += ", \(TrainingProgress.rate(report.tokensPerSecond)) tokens/s, \(TrainingProgress.duration(report.elapsed))"
            display.say(summary)
            if let test = run.test {
                for line in try Self.testReport(run, on: test) { display.say(line) }
            }
            display.say("wrote \(run.directory.path) (config.json, vocab.json, model.safetensors, log.jsonl, curve.svg, checkpoints/)")
        }
        return outcome
    }

    /// The weights of the run's best checkpoint (`best.safetensors`) in a model of its own
    /// (NT-ASGD's average, `optimizer.ax.*`, once averaging had begun), and the epoch it was
    /// written after.
    static func bestModel(of run: TrainingRun) throws -> (model: RecurrentLM<Float>, epoch: Int) {
        var unused = RandomGenerator(seed: 0)   // every weight is replaced by the checkpoint's
        let model = try RecurrentLM<Float>(config: run.trainer.config.model, using: &unused)
        let files = try CheckpointDirectory(directory: run.directory.checkpointsPath)
        let state = try TrainingCheckpoint.readEvaluationWeights(from: files.bestPath, into: model, like: run.trainer.state)
        return (model, state.epoch)
    }
}

extension TrainingSession {
    /// Where the time budget stopped training, for the closing summary; `trained`: whether
    /// this process trained any step.
    static func budgetNote(_ report: EpochReport?, _ options: TrainingOptions, trained: Bool) -> String {
        let budget = String(format: "the time budget (%g min) ran out", options.timeBudget ?? 0)
        guard let report else { return budget + " before any training" }
        guard trained, let batch = report.stoppedAtBatch else { return budget + ": no time left to train after epoch \(report.epoch)" }
        return budget + ": stopped after batch \(batch) of epoch \(report.epoch) (of \(options.epochs)); validating, testing and saving as a finished run"
    }

    /// The setting that decides on the validation perplexity (the plateau schedule, NT-ASGD's
    /// trigger), by its key path; nil when none does.
    static func validationUser(_ options: TrainingOptions) -> String? {
        if case .plateau = options.learningRateSchedule { return "schedule plateau" }
        return options.asgdNonmonotone == nil ? nil : "optimizer.asgd"
    }
}

extension TrainingSession {
    /// Draws a run's periodic sample: given the model, its vocabulary and the prefix
    /// (``TrainingRun/samplePrefix``), a function producing the sample from the model's
    /// current weights; nil when the model cannot read the prefix.
    public typealias SampleSource = (_ model: RecurrentLM<Float>, _ vocabulary: VocabularyFile, _ prefix: String) throws -> (() throws -> String)?

    /// Trains a run from `settings` to the end (or to a signal), reporting to `observer`: sets
    /// the BLAS threads, prepares the run (``TrainingRun``) and starts the session. With
    /// `parallel`, every rank calls this; ranks after 0 receive the run from rank 0
    /// (``TrainingReplica``) and report nothing. `spentBefore`: seconds spent before this call
    /// that the time budget counts (``TrainingRun/init(_:parallel:spentBefore:)``).
    public static func run<Observer: TrainingObserver>(_ settings: TrainingSettings, parallel: DataParallel? = nil,
                                                       spentBefore: Double = 0, sample: SampleSource? = nil,
                                                       reporting observer: Observer) throws -> TrainingOutcome {
        if let threads = settings.run.threads { BLAS.setThreads(threads) }
        if let parallel, !parallel.isWriter {
            _ = try TrainingReplica.run(over: parallel)
            return .finished(nil)
        }
        let run = try TrainingRun(settings, parallel: parallel, spentBefore: spentBefore)
        let draw = try sample?(run.trainer.model, run.vocabularyFile, run.samplePrefix)
        return try TrainingSession(run, sample: draw).start(reporting: observer)
    }
}
