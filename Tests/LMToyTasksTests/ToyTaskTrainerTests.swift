import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
@testable import LMToyTasks
import LMTraining
import Testing

/// The toy tasks of the reference tutorials at small sizes: each still has to learn.
@Suite struct ToyTaskTrainerTests {
    /// A trainer for `task` data with the tutorial's optimizer, everything seeded by `seed`.
    static func trainer(adding: Bool, kind: ModelConfig.Kind = .rnn, hidden: Int, length: Int, samples: Int,
                        epochs: Int, batch: Int = 100, seed: UInt64 = 0) throws -> ToyTaskTrainer {
        var g = ToyTaskTrainer.generators(seed: seed)
        let training: SequenceDataset, test: SequenceDataset
        if adding {
            training = SequenceDataset(try AddingProblem(count: samples, length: length, generator: &g.training))
            test = SequenceDataset(try AddingProblem(count: 1000, length: length, generator: &g.test))
        } else {
            training = SequenceDataset(try BinaryAddition(count: samples, bits: length - 1, generator: &g.training))
            test = SequenceDataset(try BinaryAddition(count: 1000, bits: length - 1, generator: &g.test))
        }
        let config = SequenceModelConfig(kind: kind, inputSize: 2, hiddenSize: hidden, head: adding ? .regression : .logistic)
        let model = try SequenceModel<Float>(config: config, using: &g.initialization)
        let optimizer: any Optimizer = adding
            ? Adam(learningRate: 0.003)
            : RMSProp(learningRate: 0.05, decay: 0.5, momentum: 0.8, nesterov: true, epsilon: 1e-6)
        return try ToyTaskTrainer(model: model, training: training, test: test, optimizer: optimizer,
                                  batch: batch, epochs: epochs, clip: 1, shuffling: g.shuffling)
    }

    @Test func binaryAdditionGetsEveryFreshSumExact() throws {
        let trainer = try Self.trainer(adding: false, hidden: 8, length: 7, samples: 2000, epochs: 20)
        let before = try trainer.evaluate(trainer.testSet)
        var reports: [ToyEpochReport] = []
        trainer.onEpoch = { reports.append($0) }
        let last = try trainer.train()
        #expect(reports.count == 20)
        #expect(before.exactFraction! < 0.1, "an untrained model should rarely be exact (\(before.exactFraction!))")
        #expect(last.test.exactFraction == 1, "exact \(last.test.exactFraction!), bits \(last.test.outputAccuracy!)")
        #expect(last.test.outputAccuracy == 1)
        #expect(last.test.sequences == 1000)
    }

    @Test(arguments: [ModelConfig.Kind.rnn, .gru, .lstm])
    func addingProblemBeatsTheChanceBaselineAtT6(kind: ModelConfig.Kind) throws {
        let trainer = try Self.trainer(adding: true, kind: kind, hidden: 24, length: 6, samples: 2000, epochs: 8, batch: 50)
        let before = try trainer.evaluate(trainer.testSet).meanSquaredError!
        let last = try trainer.train()
        let mse = last.test.meanSquaredError!
        #expect(mse < Double(AddingProblem.referenceBaselineMSE), "\(kind.rawValue): test MSE \(mse) (before training \(before))")
        #expect(mse < before)
        #expect(last.trainLoss.isFinite)
    }

    @Test func sameSeedSameRun() throws {
        let a = try Self.trainer(adding: true, kind: .gru, hidden: 8, length: 5, samples: 300, epochs: 2, seed: 9).train()
        let b = try Self.trainer(adding: true, kind: .gru, hidden: 8, length: 5, samples: 300, epochs: 2, seed: 9).train()
        let c = try Self.trainer(adding: true, kind: .gru, hidden: 8, length: 5, samples: 300, epochs: 2, seed: 10).train()
        #expect(a.trainLoss == b.trainLoss && a.test == b.test)
        #expect(a.trainLoss != c.trainLoss)
    }

    @Test func gatherWritesTimeMajorRows() throws {
        // Two sequences of 3 steps × 2 features; per-step targets.
        let set = try SequenceDataset(steps: 3, features: 2, targetRows: 3, outputs: 1,
                                      inputs: [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], targets: [0, 1, 2, 10, 11, 12])
        var x = [Float](), y = [Float]()
        set.gather([1, 0], inputs: &x, targets: &y)
        #expect(x == [10, 11, 0, 1, 12, 13, 2, 3, 14, 15, 4, 5])
        #expect(y == [10, 0, 11, 1, 12, 2])
        let adding = SequenceDataset(try AddingProblem(count: 4, length: 3, seed: 1))
        adding.gather([2], inputs: &x, targets: &y)
        #expect(y == [try AddingProblem(count: 4, length: 3, seed: 1).labels[2]])
        #expect(throws: TrainingError.self) {
            _ = try SequenceDataset(steps: 3, features: 2, targetRows: 2, outputs: 1, inputs: [0, 1, 2, 3, 4, 5], targets: [0, 1])
        }
    }

    @Test func settingsThatCannotWorkAreRefused() throws {
        var rng = RandomGenerator(seed: 1)
        let regression = try SequenceModel<Float>(config: SequenceModelConfig(kind: .rnn, inputSize: 2, hiddenSize: 3, head: .regression), using: &rng)
        let binary = SequenceDataset(try BinaryAddition(count: 5, bits: 3, seed: 1))
        let adding = SequenceDataset(try AddingProblem(count: 5, length: 4, seed: 1))
        #expect(throws: TrainingError.self) {
            _ = try ToyTaskTrainer(model: regression, training: binary, test: binary, optimizer: Adam(),
                                   batch: 2, epochs: 1, clip: nil, shuffling: rng)
        }
        #expect(throws: TrainingError.self) {
            _ = try ToyTaskTrainer(model: regression, training: adding, test: adding, optimizer: Adam(),
                                   batch: 0, epochs: 1, clip: nil, shuffling: rng)
        }
        #expect(throws: TrainingError.self) {
            _ = try ToyTaskTrainer(model: regression, training: adding, test: adding, optimizer: Adam(),
                                   batch: 2, epochs: 1, clip: 0, shuffling: rng)
        }
    }

    /// Chainer's counting experiment through the language-model trainer, shortened: the
    /// validation accuracy climbs well above the majority guess within a few epochs.
    @Test(arguments: [CountingRun.WeightStart.configured, .chainer])
    func countingSequenceLearnsToCount(start: CountingRun.WeightStart) throws {
        let directory = temporaryDirectory() + "/counting"
        var options = TrainingOptions(corpus: "counting")
        options.batch = 10
        options.steps = 20
        options.epochs = 4
        options.optimizer = .adam
        options.lr = 0.003
        let model = ModelConfig(kind: .rnn, vocabularySize: 10, embeddingSize: 16, hiddenSize: 32, initialization: .xavierUniform)
        let run = try CountingRun(model: model, training: options, start: start, output: directory, overwrite: false)
        let before = try run.validate()
        var accuracies: [Double] = []
        run.trainer.onEpoch = { _, _ in accuracies.append((try? run.validate().accuracy) ?? -1) }
        _ = try run.trainer.train()
        #expect(before.predictions == 4500)
        #expect(accuracies.count == 4)
        // 9 of 45 tokens in a cycle are 9s: always guessing 9 scores 0.2.
        #expect(accuracies.last! > 0.8, "\(start): accuracy per epoch \(accuracies), before training \(before.accuracy)")
        #expect(FileManager.default.fileExists(atPath: directory + "/config.json"))
        #expect(throws: TrainingError.self) { _ = try CountingRun(model: model, training: options, output: directory, overwrite: false) }
        _ = try CountingRun(model: model, training: options, output: directory, overwrite: true)
    }
}
