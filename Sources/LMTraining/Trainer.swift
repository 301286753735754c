import Foundation
import LMData
import LMFileSystem
import LMModelFiles
import LMModels
import LMSettings
import LMTensor

/// The training loop: truncated BPTT over the sampler's windows, state carried (and
/// detached) or reset as the sampler requires, one ``TrainingStep`` per window, progress,
/// clean interrupts. Everything else is a ``TrainingHook`` called at the loop's fixed points:
/// the time budget, the schedule, validation, NT-ASGD, the log and curve, checkpoints (and
/// resume), samples, data-parallel synchronisation. In a data-parallel run (``DataParallel``)
/// each rank trains its rows of every batch, the steps' sums keep the weights identical on
/// every rank, and rank 0 alone writes the run directory.
public final class Trainer {
    public let config: RunConfig
    public let model: RecurrentLM<Float>
    public let directory: RunDirectory
    var sampler: TrainingSampler
    var optimizer: any Optimizer
    /// Where training stands; the hooks keep their parts of it.
    var state: TrainerState
    /// The other processes of a data-parallel run, or nil for one process.
    let parallel: DataParallel?
    /// Whether this process writes the run directory (one process, or rank 0).
    var isWriter: Bool { parallel?.isWriter ?? true }
    private let step: TrainingStep<RecurrentLM<Float>>
    private let dropoutSeed: UInt64
    /// The rows of each batch this process trains (all of them for one process).
    private let rows: Range<Int>
    /// The hooks, in the order they are called.
    let hooks: [any TrainingHook]
    let checkpoints: CheckpointHook
    let averaging: AveragingHook?
    let log: LogHook
    /// The time budget (`run.timeBudget`); nil for none.
    let timeBudget: TimeBudgetHook?
    private let samples = SampleHook()

    /// Called after every batch.
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called after every epoch with its report and, every `sampleEvery` epochs and at the
    /// end, the text `sample` produced.
    public var onEpoch: ((EpochReport, String?) -> Void)?
    /// Produces a sample from the model (d2l's `predict`); the model's state is restored after.
    public var sample: ((RecurrentLM<Float>) throws -> String)? {
        get { samples.produce }
        set { samples.produce = newValue }
    }
    /// Epochs between samples.
    public var sampleEvery: Int {
        get { samples.every }
        set { samples.every = newValue }
    }

    /// A trainer for a fresh model, or for one about to be resumed with `resume(from:)`;
    /// with `parallel`, this rank's part of a data-parallel run (rank 0's weights, optimizer
    /// and position are everyone's when ``train()`` starts).
    /// - Throws: the sampler's `corpusTooShort` (with what would fit) before any training;
    ///   ``TrainingError/invalidSetting(_:)`` for more ranks than the batch has streams.
    public init(config: RunConfig, model: RecurrentLM<Float>, train: TokenStream, validation: TokenStream?,
                directory: RunDirectory, parallel: DataParallel? = nil) throws {
        self.config = config
        self.model = model
        self.directory = directory
        let options = config.training
        sampler = try TrainingSampler(kind: options.sampler, stream: train, batch: options.batch, steps: options.steps,
                                      variableSteps: options.variableSteps, generator: Trainer.generators(seed: options.seed).sampling)
        optimizer = Trainer.makeOptimizer(options)
        try parallel?.check(batch: options.batch)
        self.parallel = parallel
        let rows = parallel?.rows(batch: options.batch) ?? 0..<options.batch
        self.rows = rows
        step = TrainingStep(model: model, clip: options.clip,
                            parallel: parallel.map { ($0, weight: Double(rows.count) / Double(options.batch)) })
        dropoutSeed = Trainer.dropoutSeed(seed: options.seed)
        state = TrainerState(sampler: sampler.position, learningRate: options.lr, optimizer: optimizer.checkpointState)
        // A fine-tuning stage averages from its first step (PyTorch's ASGD with t0 0): begun at epoch 0.
        let fineTuning = options.finetune != nil
        if options.asgdNonmonotone != nil || fineTuning { state.averaging = AveragingState(triggerEpoch: fineTuning ? 0 : nil) }
        checkpoints = CheckpointHook(directory: directory)
        averaging = state.averaging.map {
            AveragingHook(nonmonotone: options.asgdNonmonotone ?? OptimizerSettings.Averaging().nonmonotone,
                          parameters: model.parameters, averaging: $0.isAveraging)
        }
        log = LogHook(directory: directory, config: config)
        timeBudget = options.timeBudget.map {
            TimeBudgetHook(seconds: $0 * 60, validationTokens: validation?.count ?? 0, windowTokens: options.batch * options.steps)
        }
        let schedule = options.learningRateSchedule.map { ScheduleHook($0, base: options.lr) }
        let validating = validation.map { ValidationHook($0) }
        let synchronizing = parallel.map { DataParallelHook($0) }
        let ordered: [(any TrainingHook)?] = [timeBudget, schedule, validating, averaging, log, checkpoints, samples, synchronizing]
        hooks = ordered.compactMap { $0 }
    }

    /// Completed epochs (after a resume, where it continues from).
    public var completedEpochs: Int { state.epoch }

    /// Trains until `config.training.epochs` epochs are complete, the time budget runs out,
    /// or a signal arrives.
    ///
    /// Each epoch: the hooks' `epochStarted` and the state reset the sampler calls for, then
    /// one step for every batch of the sampler, each followed by the hooks' `stepFinished`, a
    /// progress report, a check for a pending signal (which writes a checkpoint and stops) and
    /// one of the time budget; then `endEpoch` and, on a pending signal, the epoch's checkpoint.
    /// When the budget runs out the epoch's remaining batches are skipped and it ends as the
    /// run's last (its report says after which batch).
    public func train() throws -> TrainingOutcome {
        for hook in hooks { try hook.trainingStarted(self) }
        var window = TrainingWindow(batch: config.training.batch, longestWindow: sampler.longestWindow)
        var lastReport: EpochReport? = log.log.reports.last
        var outOfTime = try budgetRunsOut(endsEpoch: false)
        while state.epoch < config.training.epochs {
            if outOfTime && state.batchInEpoch == 0 { return .budgetSpent(lastReport) }
            startEpoch()
            var epoch = EpochClock()
            while !outOfTime, sampler.next(into: &window.batch) {
                try trainBatch(&window)
                epoch.tokens += window.size
                let seconds = Date().timeIntervalSince(epoch.start)
                reportProgress(epoch, seconds: seconds, window: window.size)
                if let signal = try pendingSignal() {
                    state.elapsed += seconds
                    return try checkpoints.interrupted(by: signal, self)
                }
                outOfTime = try budgetRunsOut(endsEpoch: state.batchInEpoch >= sampler.batchesPerEpoch)
            }
            if outOfTime {
                // The epoch's remaining batches are skipped, so a continuation starts the next epoch.
                while sampler.next(into: &window.batch) {}
                let report = try endEpoch(epoch, stoppedAtBatch: state.batchInEpoch)
                return .budgetSpent(report)
            }
            let report = try endEpoch(epoch)
            lastReport = report
            if let signal = try pendingSignal(), report.epoch != config.training.epochs {
                return try checkpoints.interrupted(by: signal, self)
            }
        }
        return .finished(lastReport)
    }

    /// The epoch's start: the hooks (the schedule's rate), and the state reset the sampler
    /// calls for: d2l initialises the state at the first batch of every epoch (sequential);
    /// Chainer carries it through the whole run (parallel); random sampling resets every batch.
    private func startEpoch() {
        for hook in hooks { hook.epochStarted(self) }
        if state.batchInEpoch == 0 {
            if case .sequential = config.training.sampler { model.resetState() }
            if state.epoch == 0 { model.resetState() }
        }
    }

    /// One training step on the sampler's latest batch, the hooks' `stepFinished`, and the
    /// epoch's running loss.
    /// - Throws: ``TrainingError/divergence(epoch:batch:checkpoint:best:)`` on a non-finite loss.
    private func trainBatch(_ window: inout TrainingWindow) throws {
        if !sampler.carriesState { model.resetState() }
        window.load(rows: rows)
        let windowIndex = windowsDone
        // Masks are drawn by the stream's index in the whole batch, so they do not depend on the ranks.
        let key = config.model.dropout.isOff ? nil : DropoutKey(seed: dropoutSeed, window: windowIndex, streamOffset: rows.lowerBound)
        // A variable window's step runs at its own rate (AWD-LSTM's lr · ℓ / bptt); the epoch's is back after it.
        let rate = optimizer.learningRate
        optimizer.learningRate = sampler.stepRate(rate)
        let loss = try step.run(inputs: window.inputs, targets: window.targets, steps: window.batch.filledSteps,
                                batch: rows.count, optimizer: &optimizer, dropout: key)
        optimizer.learningRate = rate
        guard let loss else { throw try checkpoints.divergence(epoch: state.epoch + 1, batch: state.batchInEpoch + 1) }
        for hook in hooks { hook.stepFinished(self) }
        state.lossSum += loss * Double(window.size)
        state.tokenCount += window.size
        state.batchInEpoch += 1
        state.windowsTrained = windowIndex + 1
    }

    /// The end of an epoch: its report (the hooks' measurements, validation, included), the
    /// counters closed, the hooks' `epochFinished` (schedule, NT-ASGD, log and curve,
    /// checkpoints, sample), and ``onEpoch``. `stoppedAtBatch`: the time budget ended the run
    /// after this batch of the epoch.
    /// - Throws: ``TrainingError/corpusTooShort(_:)`` when the epoch had no batch,
    ///   ``TrainingError/divergence(epoch:batch:checkpoint:best:)`` on a non-finite perplexity.
    private func endEpoch(_ epoch: EpochClock, stoppedAtBatch: Int? = nil) throws -> EpochReport {
        let options = config.training
        let trainingSeconds = Date().timeIntervalSince(epoch.start)
        state.elapsed += trainingSeconds
        guard state.tokenCount > 0 else {
            throw TrainingError.corpusTooShort("an epoch produced no batch; the corpus is too short for batch \(options.batch) × \(options.steps) steps")
        }
        var report = EpochReport(epoch: state.epoch + 1, trainPerplexity: exp(state.lossSum / Double(state.tokenCount)),
                                 validationPerplexity: nil, tokensPerSecond: Double(epoch.tokens) / max(trainingSeconds, 1e-9),
                                 learningRate: optimizer.learningRate, elapsed: state.elapsed, stoppedAtBatch: stoppedAtBatch)
        for hook in hooks { try hook.epochMeasured(&report, self) }
        guard report.trainPerplexity.isFinite, report.validationPerplexity?.isFinite ?? true else {
            throw try checkpoints.divergence(epoch: report.epoch, batch: state.batchInEpoch)
        }
        state.epoch = report.epoch
        state.batchInEpoch = 0
        state.lossSum = 0
        state.tokenCount = 0
        for hook in hooks { try hook.epochFinished(report, self) }
        onEpoch?(report, samples.latest)
        return report
    }
}
