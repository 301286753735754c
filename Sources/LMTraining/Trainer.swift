import Foundation
import LMData
import LMFileSystem
import LMModelFiles
import LMModels
import LMTensor
import LMText

/// How a run ended.
public enum TrainingOutcome: Equatable {
    /// Every epoch done; the last epoch's report.
    case finished(EpochReport?)
    /// Stopped by a signal after writing the checkpoint at `checkpoint`.
    case interrupted(signal: Int32, checkpoint: String)
}

/// The training loop: truncated BPTT over the sampler's windows, state carried (and
/// detached) or reset as the sampler requires, gradient clipping, the optimizer, perplexity,
/// validation, periodic samples, checkpoints, exact resume and clean interrupts. In a
/// data-parallel run (``DataParallel``) each rank trains its rows of every batch, the steps'
/// sums keep the weights identical on every rank, and rank 0 alone writes the run directory.
public final class Trainer {
    public let config: RunConfig
    public let model: RecurrentLM<Float>
    public let directory: RunDirectory
    private let validation: TokenStream?
    private var sampler: TrainingSampler
    private var optimizer: any Optimizer
    private let step: TrainingStep<RecurrentLM<Float>>
    private var state: TrainerState
    private var log: TrainingLog
    private let dropoutSeed: UInt64
    /// The other processes of a data-parallel run, or nil for one process.
    private let parallel: DataParallel?
    /// The rows of each batch this process trains (all of them for one process).
    private let rows: Range<Int>
    /// Whether this process writes the run directory (one process, or rank 0).
    private var isWriter: Bool { parallel?.isWriter ?? true }

    /// Called after every batch.
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called after every epoch with its report and, every `sampleEvery` epochs and at the
    /// end, the text `sample` produced.
    public var onEpoch: ((EpochReport, String?) -> Void)?
    /// Produces a sample from the model (d2l's `predict`); the model's state is restored after.
    public var sample: ((RecurrentLM<Float>) throws -> String)?
    /// Epochs between samples.
    public var sampleEvery = 10

    /// The generators a seed gives: one for the model's initial weights, one for the sampler,
    /// one for the dropout seed (forked last, so the first two do not depend on it).
    /// Evaluation and samples draw from none, so they cannot change a training batch.
    public static func generators(seed: UInt64) -> (initialization: RandomGenerator, sampling: RandomGenerator,
                                                    dropout: RandomGenerator) {
        var root = RandomGenerator(seed: seed)
        let initialization = root.fork()
        let sampling = root.fork()
        let dropout = root.fork()
        return (initialization, sampling, dropout)
    }

    /// The seed of a run's dropout masks (``DropoutKey/seed``): the dropout generator's first draw.
    public static func dropoutSeed(seed: UInt64) -> UInt64 {
        var g = generators(seed: seed).dropout
        return g.next()
    }

    /// The optimizer the options ask for, with their weight decay, wrapped in a
    /// ``WeightAverage`` for NT-ASGD.
    public static func makeOptimizer(_ options: TrainingOptions) -> any Optimizer {
        let decay = options.weightDecay ?? 0
        let optimizer: any Optimizer
        switch options.optimizer {
        case .sgd: optimizer = SGD(learningRate: options.lr, weightDecay: decay)
        case .adam: optimizer = Adam(learningRate: options.lr, weightDecay: decay)
        case .rmsprop: optimizer = RMSProp(learningRate: options.lr, decay: options.rmspropDecay ?? 0.9, momentum: options.momentum, nesterov: options.nesterov, weightDecay: decay)
        }
        return options.asgdNonmonotone == nil ? optimizer : WeightAverage(optimizer)
    }

    /// Runs `body` with the weights that validation, test, samples and `model.safetensors`
    /// use: NT-ASGD's average once it has started, else the model's own; the training
    /// weights are back in place after.
    public func withEvaluationWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard var averaging = optimizer as? WeightAverage else { return try body() }
        defer { optimizer = averaging }
        return try averaging.withAverage(in: model.parameters, body)
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
        self.validation = validation
        let options = config.training
        sampler = try TrainingSampler(kind: options.sampler, stream: train, batch: options.batch, steps: options.steps,
                                      generator: Trainer.generators(seed: options.seed).sampling)
        optimizer = Trainer.makeOptimizer(options)
        try parallel?.check(batch: options.batch)
        self.parallel = parallel
        let rows = parallel?.rows(batch: options.batch) ?? 0..<options.batch
        self.rows = rows
        step = TrainingStep(model: model, clip: options.clip,
                            parallel: parallel.map { ($0, weight: Double(rows.count) / Double(options.batch)) })
        dropoutSeed = Trainer.dropoutSeed(seed: options.seed)
        state = TrainerState(epoch: 0, batchInEpoch: 0, sampler: try sampler.stateJSON(), lossSum: 0, tokenCount: 0,
                             elapsed: 0, bestPerplexity: nil, bestEpoch: nil, learningRate: options.lr, optimizerScalars: [:])
        if options.asgdNonmonotone != nil { state.averaging = AveragingState() }
        log = TrainingLog(path: directory.logPath)
    }

    /// Data-parallel runs, before the first step: rank 0's weights, optimizer state, position
    /// and carried state (fresh, or just resumed) are sent to every rank, exactly as a
    /// checkpoint; each rank keeps its own rows of the state.
    private func synchronize() throws {
        guard let parallel else { return }
        if parallel.isWriter {
            _ = try parallel.communicator.broadcast([UInt8](try Checkpoint.encode(model: model, optimizer: optimizer, state: state)), root: 0)
        } else {
            let bytes = try parallel.communicator.broadcast([], root: 0)
            state = try Checkpoint.decode(Data(bytes), origin: "rank 0's weights", model: model, optimizer: &optimizer)
            try sampler.restore(json: state.sampler)
        }
        let full = model.state.filter { $0.rows > 0 }
        if !full.isEmpty { try model.setState(try parallel.localState(full, batch: config.training.batch)) }
    }

    /// The signal received, by any rank of a data-parallel run, so that all stop together.
    private func pendingSignal() throws -> Int32? {
        guard let parallel else { return Interrupts.pending }
        return try parallel.agreedSignal(Interrupts.pending)
    }

    /// Completed epochs (after a resume, where it continues from).
    public var completedEpochs: Int { state.epoch }

    /// Continues from a checkpoint in the run directory: the newest one that reads intact
    /// (a damaged newer one is renamed `<name>.damaged` and noted), or `best.safetensors`
    /// (regular checkpoints after it are deleted and noted); with no checkpoint at all, the
    /// fresh model (epoch 0). Then prunes to `--keep`.
    /// - Returns: the checkpoint's path and the notes.
    @discardableResult
    public func resume(from point: ResumePoint = .newest) throws -> ResumeOrigin {
        let files = try CheckpointFiles(directory: directory.checkpointsPath)
        var origin: ResumeOrigin
        switch point {
        case .best:
            guard FileManager.default.fileExists(atPath: files.bestPath) else {
                throw TrainingError.resumeMismatch("\(files.bestPath) does not exist; resume without --resume-from best")
            }
            state = try Checkpoint.read(from: files.bestPath, model: model, optimizer: &optimizer)
            origin = ResumeOrigin(path: files.bestPath, notes: [])
            for later in try files.all() where (later.epoch, later.batch) > (state.epoch, state.batchInEpoch) {
                unlink(later.path)
                origin.notes.append("deleted \(later.path): it continues past best.safetensors (epoch \(state.epoch))")
            }
        case .newest:
            var notes: [String] = []
            var found: String? = nil
            for candidate in try files.all().reversed() {
                do {
                    state = try Checkpoint.read(from: candidate.path, model: model, optimizer: &optimizer)
                    found = candidate.path
                    break
                } catch {
                    let aside = candidate.path + RunDirectory.damagedSuffix
                    let moved = rename(candidate.path, aside) == 0
                    notes.append("skipped \(error)" + (moved ? " (set aside as \(URL(fileURLWithPath: aside).lastPathComponent))" : ""))
                }
            }
            let best = FileManager.default.fileExists(atPath: files.bestPath) ? "; --resume-from best continues from \(files.bestPath)" : ""
            if found == nil && !notes.isEmpty {
                throw TrainingError.resumeMismatch("no intact checkpoint in \(directory.checkpointsPath): " + notes.joined(separator: "; ") + best)
            }
            // No checkpoint yet (stopped during the first epoch): the start is the fresh model, exactly.
            if found == nil { notes.append("\(directory.checkpointsPath) holds no checkpoint yet: starting from epoch 0" + best) }
            origin = ResumeOrigin(path: found, notes: notes)
        }
        try sampler.restore(json: state.sampler)
        log = TrainingLog(path: directory.logPath, keepingThrough: state.epoch)
        try files.prune(keeping: config.training.keep)
        return origin
    }

    /// Trains until `config.training.epochs` epochs are complete or a signal arrives.
    ///
    /// Each epoch: `startEpoch` (learning rate, state reset), then `trainBatch` for every
    /// batch of the sampler, each followed by a progress report and a check for a pending
    /// signal (which writes a checkpoint and stops); then `endEpoch` (validation, log, curve,
    /// best and periodic checkpoints, sample) and, on a pending signal, the epoch's checkpoint.
    public func train() throws -> TrainingOutcome {
        let files = isWriter ? try CheckpointFiles(directory: directory.checkpointsPath) : CheckpointFiles(naming: directory.checkpointsPath)
        try synchronize()
        var window = Window(batch: config.training.batch, steps: config.training.steps)
        var lastReport: EpochReport? = log.reports.last
        while state.epoch < config.training.epochs {
            startEpoch()
            var epoch = EpochClock()
            while sampler.next(into: &window.batch) {
                try trainBatch(&window, files: files)
                epoch.tokens += window.size
                let seconds = Date().timeIntervalSince(epoch.start)
                reportProgress(epoch, seconds: seconds, window: window.size)
                if let signal = try pendingSignal() {
                    state.elapsed += seconds
                    return try interrupted(by: signal, checkpoint: files.path(epoch: state.epoch, batch: state.batchInEpoch), files: files)
                }
            }
            let report = try endEpoch(epoch, files: files)
            lastReport = report
            if let signal = try pendingSignal(), report.epoch != config.training.epochs {
                let path = files.path(epoch: state.epoch, batch: 0)
                if regularCheckpointDue(after: report.epoch) { return .interrupted(signal: signal, checkpoint: path) }
                return try interrupted(by: signal, checkpoint: path, files: files)
            }
        }
        return .finished(lastReport)
    }

    /// One window's buffers: the sampler's batch-major batch and the model's t-major copy
    /// (of this process's rows).
    private struct Window {
        var batch = Batch()
        var inputs: [Int32], targets: [Int32]
        /// Target tokens per window of the whole batch (batch × steps).
        let size: Int

        init(batch: Int, steps: Int) {
            size = batch * steps
            inputs = [Int32](repeating: 0, count: size)
            targets = [Int32](repeating: 0, count: size)
        }
    }

    /// When the current epoch's training started, and its target tokens so far.
    private struct EpochClock {
        let start = Date()
        var tokens = 0
    }

    /// The epoch's learning rate, and the state reset the sampler calls for at its start:
    /// d2l initialises the state at the first batch of every epoch (sequential); Chainer
    /// carries it through the whole run (parallel); random sampling resets every batch.
    private func startEpoch() {
        let options = config.training
        if let schedule = options.learningRateSchedule {
            optimizer.learningRate = schedule.rate(epoch: state.epoch + 1, base: options.lr, state: state.schedule)
        }
        if state.batchInEpoch == 0 {
            if case .sequential = options.sampler { model.resetState() }
            if state.epoch == 0 { model.resetState() }
        }
    }

    /// One training step on the sampler's latest batch, and the epoch's running loss.
    /// - Throws: ``TrainingError/divergence(epoch:batch:checkpoint:)`` on a non-finite loss.
    private func trainBatch(_ window: inout Window, files: CheckpointFiles) throws {
        if !sampler.carriesState { model.resetState() }
        window.batch.timeMajor(rows: rows, inputs: &window.inputs, targets: &window.targets)
        // Older checkpoints lack the counter; their epochs all had batchesPerEpoch windows.
        let windowIndex = state.windowsTrained ?? UInt64(state.epoch * sampler.batchesPerEpoch + state.batchInEpoch)
        // Masks are drawn by the stream's index in the whole batch, so they do not depend on the ranks.
        let key = config.model.dropout.isOff ? nil : DropoutKey(seed: dropoutSeed, window: windowIndex, streamOffset: rows.lowerBound)
        guard let loss = try step.run(inputs: window.inputs, targets: window.targets, steps: config.training.steps,
                                      batch: rows.count, optimizer: &optimizer, dropout: key) else {
            throw TrainingError.divergence(epoch: state.epoch + 1, batch: state.batchInEpoch + 1,
                                           checkpoint: try files.newest?.path, best: files.existingBest)
        }
        state.lossSum += loss * Double(window.size)
        state.tokenCount += window.size
        state.batchInEpoch += 1
        state.windowsTrained = windowIndex + 1
    }

    /// Calls ``onProgress`` with where the run is after a batch.
    private func reportProgress(_ epoch: EpochClock, seconds: Double, window: Int) {
        guard let onProgress else { return }
        let epochs = config.training.epochs
        let rate = Double(epoch.tokens) / max(seconds, 1e-9)
        let perEpoch = Double(sampler.batchesPerEpoch * window)
        let left = Double(epochs - state.epoch) * perEpoch - Double(state.tokenCount)
        onProgress(TrainingProgress(epoch: state.epoch + 1, epochs: epochs, batch: state.batchInEpoch,
                                    batchesPerEpoch: sampler.batchesPerEpoch,
                                    perplexity: exp(state.lossSum / Double(state.tokenCount)),
                                    tokensPerSecond: rate, secondsLeft: max(0, left / rate)))
    }

    /// The end of an epoch: its perplexities (validation included), the log line and curve,
    /// the best and periodic checkpoints, the sample, and ``onEpoch``.
    /// - Throws: ``TrainingError/corpusTooShort(_:)`` when the epoch had no batch,
    ///   ``TrainingError/divergence(epoch:batch:checkpoint:)`` on a non-finite perplexity.
    private func endEpoch(_ epoch: EpochClock, files: CheckpointFiles) throws -> EpochReport {
        let options = config.training
        let trainingSeconds = Date().timeIntervalSince(epoch.start)
        state.elapsed += trainingSeconds
        guard state.tokenCount > 0 else {
            throw TrainingError.corpusTooShort("an epoch produced no batch; the corpus is too short for batch \(options.batch) × \(options.steps) steps")
        }
        let epochNumber = state.epoch + 1
        let trainPerplexity = exp(state.lossSum / Double(state.tokenCount))
        var validationPerplexity: Double? = nil
        if let validation {
            validationPerplexity = try withEvaluationWeights { try perplexity(on: validation) }
        }
        guard trainPerplexity.isFinite, validationPerplexity?.isFinite ?? true else {
            throw TrainingError.divergence(epoch: epochNumber, batch: state.batchInEpoch, checkpoint: try files.newest?.path, best: files.existingBest)
        }
        let report = EpochReport(epoch: epochNumber, trainPerplexity: trainPerplexity,
                                 validationPerplexity: validationPerplexity,
                                 tokensPerSecond: Double(epoch.tokens) / max(trainingSeconds, 1e-9),
                                 learningRate: optimizer.learningRate, elapsed: state.elapsed)
        if let schedule = options.learningRateSchedule {
            state.schedule = schedule.state(after: epochNumber, metric: validationPerplexity ?? trainPerplexity,
                                            base: options.lr, state: state.schedule)
        }
        if let nonmonotone = options.asgdNonmonotone {
            startAveragingIfDue(after: epochNumber, metric: validationPerplexity ?? trainPerplexity, nonmonotone: nonmonotone)
        }
        state.epoch = epochNumber
        state.batchInEpoch = 0
        state.lossSum = 0
        state.tokenCount = 0
        if isWriter {
            try log.append(report)
            try AtomicFile.write(Data(CurvePlot.svg(log.reports, title: "\(config.model.kind.rawValue.uppercased())-\(config.model.hiddenSize) on \(URL(fileURLWithPath: options.corpus).lastPathComponent)").utf8),
                                 to: directory.curvePath)
        }
        try checkpoint(after: report, files: files)
        var text: String? = nil
        if let sample, epochNumber % sampleEvery == 0 || epochNumber == options.epochs || epochNumber == 1 {
            let saved = model.state
            text = try withEvaluationWeights { try sample(model) }
            try? model.setState(saved)
        }
        onEpoch?(report, text)
        return report
    }

    /// The perplexity of `stream` (validation), split across the ranks of a data-parallel run.
    private func perplexity(on stream: TokenStream) throws -> Double {
        let options = config.training
        guard let parallel else {
            return try Evaluator.evaluate(model, on: stream, batch: options.evaluationBatch, steps: options.steps).perplexity
        }
        let part = try Evaluator.evaluate(model, on: stream, batch: options.evaluationBatch, steps: options.steps,
                                          part: parallel.rank, of: parallel.size)
        let total = try parallel.sum([part.lossSum, Double(part.tokens)])
        return exp(total[0] / total[1])
    }

    /// Whether a regular checkpoint is written after `epoch`: every `checkpointEvery` epochs and at the end.
    private func regularCheckpointDue(after epoch: Int) -> Bool {
        epoch % config.training.checkpointEvery == 0 || epoch == config.training.epochs
    }

    /// The checkpoints due after an epoch: `best` when the metric (validation perplexity,
    /// else training) improved, and a regular one every `checkpointEvery` epochs and at the end.
    private func checkpoint(after report: EpochReport, files: CheckpointFiles) throws {
        let metric = report.validationPerplexity ?? report.trainPerplexity
        let improved = state.bestPerplexity.map { metric < $0 } ?? true
        if improved {
            state.bestPerplexity = metric
            state.bestEpoch = report.epoch
            try saveCheckpoint(to: files.bestPath, files: nil)
        }
        if regularCheckpointDue(after: report.epoch) {
            try saveCheckpoint(to: files.path(epoch: report.epoch, batch: 0), files: files)
        }
    }

    /// NT-ASGD's trigger after an epoch: starts averaging when the metric is worse than the
    /// best of the epochs more than `nonmonotone` epochs ago, else records the metric.
    private func startAveragingIfDue(after epoch: Int, metric: Double, nonmonotone: Int) {
        var averaging = state.averaging ?? AveragingState()
        guard averaging.triggerEpoch == nil else { return }
        if averaging.triggers(metric: metric, nonmonotone: nonmonotone), var average = optimizer as? WeightAverage {
            averaging.triggerEpoch = epoch
            average.start()
            optimizer = average
        } else {
            averaging.history.append(metric)
        }
        state.averaging = averaging
    }

    /// Stops on a signal: writes the checkpoint at `path` and says so.
    private func interrupted(by signal: Int32, checkpoint path: String, files: CheckpointFiles) throws -> TrainingOutcome {
        try saveCheckpoint(to: path, files: files)
        return .interrupted(signal: signal, checkpoint: path)
    }

    /// Writes a checkpoint, the run's newest weights, and prunes old checkpoints. In a
    /// data-parallel run every rank takes part (rank 0 gathers the whole batch's carried state
    /// and writes), and none goes on before the files are written.
    private func saveCheckpoint(to path: String, files: CheckpointFiles?) throws {
        state.sampler = try sampler.stateJSON()
        state.learningRate = optimizer.learningRate
        state.optimizerScalars = optimizer.stateScalars
        let hidden = try parallel?.gatherState(model.state.filter { $0.rows > 0 }, batch: config.training.batch)
        if isWriter {
            try Checkpoint.write(to: path, model: model, optimizer: optimizer, state: state, hidden: hidden)
            if let files {
                try withEvaluationWeights {
                    try directory.writeWeights(model, metadata: ["epoch": String(state.epoch), "format": "lmkit-weights"])
                }
                try files.prune(keeping: config.training.keep)
            }
        }
        try parallel?.barrier()
    }
}
