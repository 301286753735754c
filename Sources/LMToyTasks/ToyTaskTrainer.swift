import Foundation
import LMData
import LMModelFiles
import LMModels
import LMTensor
import LMTraining

/// What one epoch of a toy task achieved.
public struct ToyEpochReport: Equatable, Sendable {
    /// 1-based epoch.
    public var epoch: Int
    /// Mean training loss over the epoch's minibatches (weighted by their size).
    public var trainLoss: Double
    /// The held-out set after the epoch.
    public var test: ToyTaskMetrics
    /// Training sequences per second.
    public var sequencesPerSecond: Double
    /// Training seconds so far.
    public var elapsed: Double
}

/// The minibatch loop of the adding-problem and binary-addition tutorials for a
/// ``SequenceModel``: each epoch visits the training sequences once in a fresh seeded
/// order, in minibatches of `batch` (the last one smaller), one ``TrainingStep`` each
/// (forward from a zero state, backward, clip, one optimizer update). After every epoch
/// the held-out set is evaluated (the MinPy solver's per-epoch check).
public final class ToyTaskTrainer {
    /// The model being trained.
    public let model: SequenceModel<Float>
    /// Training sequences.
    public let trainingSet: SequenceDataset
    /// Held-out sequences evaluated after every epoch.
    public let testSet: SequenceDataset
    /// Sequences per minibatch.
    public let batch: Int
    /// Passes over the training set.
    public let epochs: Int
    /// Global gradient-norm bound, or nil for none.
    public let clip: Double?
    private var optimizer: any Optimizer
    private let step: TrainingStep<SequenceModel<Float>>
    private var shuffling: RandomGenerator
    /// Called after every epoch.
    public var onEpoch: ((ToyEpochReport) -> Void)?

    /// The independent generators a seed gives: the model's initial weights, the minibatch
    /// order, the training set and the test set (so test sequences are fresh draws).
    public static func generators(seed: UInt64) -> (initialization: RandomGenerator, shuffling: RandomGenerator,
                                                    training: RandomGenerator, test: RandomGenerator) {
        var root = RandomGenerator(seed: seed)
        return (root.fork(), root.fork(), root.fork(), root.fork())
    }

    /// A trainer; `shuffling` orders the minibatches.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` for a batch or epoch count below 1, a
    ///   non-positive clip, or datasets that do not fit the model.
    public init(model: SequenceModel<Float>, training: SequenceDataset, test: SequenceDataset, optimizer: any Optimizer,
                batch: Int, epochs: Int, clip: Double?, shuffling: RandomGenerator) throws {
        guard batch >= 1 else { throw TrainingError.invalidSetting("data.batch must be at least 1 (got \(batch))") }
        guard epochs >= 1 else { throw TrainingError.invalidSetting("run.epochs must be at least 1 (got \(epochs))") }
        if let clip, !(clip > 0) {
            throw TrainingError.invalidSetting("optimizer.clip must be positive (got \(clip)); turn clipping off")
        }
        let config = model.config
        for (name, set) in [("training", training), ("test", test)] {
            let wantRows = config.head == .regression ? 1 : set.steps
            guard set.features == config.inputSize, set.outputs == config.outputSize, set.targetRows == wantRows else {
                throw TrainingError.invalidSetting("the \(name) set has \(set.features) features, \(set.targetRows) target rows × \(set.outputs) outputs per sequence; "
                    + "the model reads \(config.inputSize) features and its \(config.head.rawValue) head predicts \(wantRows) × \(config.outputSize)")
            }
        }
        self.model = model
        self.trainingSet = training
        self.testSet = test
        self.optimizer = optimizer
        self.batch = batch
        self.epochs = epochs
        self.clip = clip
        self.step = TrainingStep(model: model, clip: clip)
        self.shuffling = shuffling
    }

    /// Trains for ``epochs`` epochs and returns the last report.
    /// - Throws: ``TrainingError/divergence(epoch:batch:checkpoint:)`` when the loss becomes NaN or infinite.
    @discardableResult
    public func train() throws -> ToyEpochReport {
        var order = Array(0..<trainingSet.count)
        var inputs = [Float](), targets = [Float]()
        var elapsed = 0.0
        var report: ToyEpochReport! = nil
        for epoch in 1...epochs {
            let start = Date()
            shuffling.shuffle(&order)
            var lossSum = 0.0, minibatch = 0
            var first = 0
            while first < order.count {
                let rows = order[first..<min(first + batch, order.count)]
                first += rows.count
                minibatch += 1
                trainingSet.gather(rows, inputs: &inputs, targets: &targets)
                guard let loss = try step.run(inputs: inputs, targets: targets, steps: trainingSet.steps,
                                              batch: rows.count, optimizer: &optimizer) else {
                    throw TrainingError.divergence(epoch: epoch, batch: minibatch, checkpoint: nil)
                }
                lossSum += loss * Double(rows.count)
            }
            let seconds = Date().timeIntervalSince(start)
            elapsed += seconds
            report = ToyEpochReport(epoch: epoch, trainLoss: lossSum / Double(order.count), test: try evaluate(testSet),
                                    sequencesPerSecond: Double(order.count) / max(seconds, 1e-9), elapsed: elapsed)
            onEpoch?(report)
        }
        return report
    }

    /// The model's loss and task metric on `set` (no gradient, no effect on training).
    public func evaluate(_ set: SequenceDataset) throws -> ToyTaskMetrics {
        try ToyTaskMetrics(model, on: set)
    }
}
