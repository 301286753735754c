import Foundation
import LMData
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
/// validation, periodic samples, checkpoints, exact resume and clean interrupts.
public final class Trainer {
    public let config: RunConfig
    public let model: RecurrentLM<Float>
    public let directory: RunDirectory
    private let validation: TokenStream?
    private var sampler: TrainingSampler
    private var optimizer: any Optimizer
    private var state: TrainerState
    private var log: TrainingLog

    /// Called after every batch.
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called after every epoch with its report and, every `sampleEvery` epochs and at the
    /// end, the text `sample` produced.
    public var onEpoch: ((EpochReport, String?) -> Void)?
    /// Produces a sample from the model (d2l's `predict`); the model's state is restored after.
    public var sample: ((RecurrentLM<Float>) throws -> String)?
    /// Epochs between samples.
    public var sampleEvery = 10

    /// The generators a seed gives: one for the model's initial weights, one for the sampler.
    /// Evaluation and samples draw from neither, so they cannot change a training batch.
    public static func generators(seed: UInt64) -> (initialization: RandomGenerator, sampling: RandomGenerator) {
        var root = RandomGenerator(seed: seed)
        let initialization = root.fork()
        let sampling = root.fork()
        return (initialization, sampling)
    }

    /// The optimizer the options ask for.
    public static func makeOptimizer(_ options: TrainingOptions) -> any Optimizer {
        switch options.optimizer {
        case .sgd: return SGD(learningRate: options.lr)
        case .adam: return Adam(learningRate: options.lr)
        case .rmsprop: return RMSProp(learningRate: options.lr, momentum: options.momentum, nesterov: options.nesterov)
        }
    }

    /// A trainer for a fresh model, or for one about to be resumed with `resume(from:)`.
    /// - Throws: the sampler's `corpusTooShort` (with what would fit) before any training.
    public init(config: RunConfig, model: RecurrentLM<Float>, train: TokenStream, validation: TokenStream?,
                directory: RunDirectory) throws {
        self.config = config
        self.model = model
        self.directory = directory
        self.validation = validation
        let options = config.training
        sampler = try TrainingSampler(kind: options.sampler, stream: train, batch: options.batch, steps: options.steps,
                                      generator: Trainer.generators(seed: options.seed).sampling)
        optimizer = Trainer.makeOptimizer(options)
        state = TrainerState(epoch: 0, batchInEpoch: 0, sampler: try sampler.stateJSON(), lossSum: 0, tokenCount: 0,
                             elapsed: 0, bestPerplexity: nil, bestEpoch: nil, learningRate: options.lr, optimizerScalars: [:])
        log = TrainingLog(path: directory.logPath)
    }

    /// Completed epochs (after a resume, where it continues from).
    public var completedEpochs: Int { state.epoch }

    /// Continues from the newest checkpoint in the run directory.
    /// - Returns: the checkpoint's path.
    @discardableResult
    public func resume() throws -> String {
        guard let newest = try CheckpointFiles(directory: directory.checkpointsPath).newest else {
            throw TrainingError.resumeMismatch("\(directory.checkpointsPath) holds no checkpoint to resume from")
        }
        state = try Checkpoint.read(from: newest.path, model: model, optimizer: &optimizer)
        try sampler.restore(json: state.sampler)
        log = TrainingLog(path: directory.logPath, keepingThrough: state.epoch)
        return newest.path
    }

    /// Trains until `config.training.epochs` epochs are complete or a signal arrives.
    public func train() throws -> TrainingOutcome {
        let options = config.training
        let batchSize = options.batch, steps = options.steps, window = batchSize * steps
        var batch = Batch()
        var inputs = [Int32](repeating: 0, count: window), targets = [Int32](repeating: 0, count: window)
        let gradients = model.gradientBuffers
        var lastReport: EpochReport? = log.reports.last
        let files = try CheckpointFiles(directory: directory.checkpointsPath)

        while state.epoch < options.epochs {
            if let decay = options.decay {
                optimizer.learningRate = options.lr * pow(decay.factor, Double(state.epoch / decay.every))
            }
            // d2l initialises the state at the first batch of every epoch (sequential); Chainer
            // carries it through the whole run (parallel); random sampling resets every batch.
            if state.batchInEpoch == 0 {
                if case .sequential = options.sampler { model.resetState() }
                if state.epoch == 0 { model.resetState() }
            }
            let epochStart = Date()
            var epochTokens = 0
            while sampler.next(into: &batch) {
                if !sampler.carriesState { model.resetState() }
                // Samplers fill batch × steps rows; the model reads t-major windows.
                batch.inputs.withUnsafeBufferPointer { x in
                    batch.targets.withUnsafeBufferPointer { y in
                        for row in 0..<batchSize {
                            for t in 0..<steps {
                                inputs[t * batchSize + row] = x[row * steps + t]
                                targets[t * batchSize + row] = y[row * steps + t]
                            }
                        }
                    }
                }
                model.zeroGradients()
                let loss = try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batchSize)
                guard loss.isFinite else {
                    throw TrainingError.divergence(epoch: state.epoch + 1, batch: state.batchInEpoch + 1,
                                                   checkpoint: try files.newest?.path)
                }
                try model.backward()
                if let clip = options.clip { _ = GradientClipping.clip(gradients, maxNorm: clip) }
                optimizer.step(model.parameters)
                state.lossSum += loss * Double(window)
                state.tokenCount += window
                state.batchInEpoch += 1
                epochTokens += window

                let seconds = Date().timeIntervalSince(epochStart)
                if let onProgress {
                    let rate = Double(epochTokens) / max(seconds, 1e-9)
                    let perEpoch = Double(sampler.batchesPerEpoch * window)
                    let left = Double(options.epochs - state.epoch) * perEpoch - Double(state.tokenCount)
                    onProgress(TrainingProgress(epoch: state.epoch + 1, epochs: options.epochs, batch: state.batchInEpoch,
                                                batchesPerEpoch: sampler.batchesPerEpoch,
                                                perplexity: exp(state.lossSum / Double(state.tokenCount)),
                                                tokensPerSecond: rate, secondsLeft: max(0, left / rate)))
                }
                if let signal = Interrupts.pending {
                    state.elapsed += seconds
                    let path = files.path(epoch: state.epoch, batch: state.batchInEpoch)
                    try saveCheckpoint(to: path, files: files)
                    return .interrupted(signal: signal, checkpoint: path)
                }
            }
            let trainingSeconds = Date().timeIntervalSince(epochStart)
            state.elapsed += trainingSeconds
            guard state.tokenCount > 0 else {
                throw TrainingError.corpusTooShort("an epoch produced no batch; the corpus is too short for batch \(batchSize) × \(steps) steps")
            }
            let epochNumber = state.epoch + 1
            let trainPerplexity = exp(state.lossSum / Double(state.tokenCount))
            var validationPerplexity: Double? = nil
            if let validation {
                validationPerplexity = try Evaluator.evaluate(model, on: validation, batch: batchSize, steps: steps).perplexity
            }
            guard trainPerplexity.isFinite, validationPerplexity?.isFinite ?? true else {
                throw TrainingError.divergence(epoch: epochNumber, batch: state.batchInEpoch, checkpoint: try files.newest?.path)
            }
            let report = EpochReport(epoch: epochNumber, trainPerplexity: trainPerplexity,
                                     validationPerplexity: validationPerplexity,
                                     tokensPerSecond: Double(epochTokens) / max(trainingSeconds, 1e-9),
                                     learningRate: optimizer.learningRate, elapsed: state.elapsed)
            lastReport = report
            state.epoch = epochNumber
            state.batchInEpoch = 0
            state.lossSum = 0
            state.tokenCount = 0
            try log.append(report)
            try AtomicFile.write(Data(CurvePlot.svg(log.reports, title: "\(config.model.kind.rawValue.uppercased())-\(config.model.hiddenSize) on \(URL(fileURLWithPath: options.corpus).lastPathComponent)").utf8),
                                 to: directory.curvePath)

            let metric = validationPerplexity ?? trainPerplexity
            let improved = state.bestPerplexity.map { metric < $0 } ?? true
            if improved {
                state.bestPerplexity = metric
                state.bestEpoch = epochNumber
            }
            let last = epochNumber == options.epochs
            if improved { try saveCheckpoint(to: files.bestPath, files: nil) }
            if epochNumber % options.checkpointEvery == 0 || last {
                try saveCheckpoint(to: files.path(epoch: epochNumber, batch: 0), files: files)
            }
            var text: String? = nil
            if let sample, epochNumber % sampleEvery == 0 || last || epochNumber == 1 {
                let saved = model.state
                text = try sample(model)
                try? model.setState(saved)
            }
            onEpoch?(report, text)
            if Interrupts.pending != nil, !last {
                let path = files.path(epoch: state.epoch, batch: 0)
                if !FileManager.default.fileExists(atPath: path) { try saveCheckpoint(to: path, files: files) }
                return .interrupted(signal: Interrupts.pending!, checkpoint: path)
            }
        }
        return .finished(lastReport)
    }

    /// Writes a checkpoint, the run's newest weights, and prunes old checkpoints.
    private func saveCheckpoint(to path: String, files: CheckpointFiles?) throws {
        state.sampler = try sampler.stateJSON()
        state.learningRate = optimizer.learningRate
        state.optimizerScalars = optimizer.stateScalars
        try Checkpoint.write(to: path, model: model, optimizer: optimizer, state: state)
        guard let files else { return }
        try directory.writeWeights(model, metadata: ["epoch": String(state.epoch), "format": "lmkit-weights"])
        try files.prune(keeping: config.training.keep)
    }
}
