import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
import Testing
@testable import LMTraining

/// AWD-LSTM's variable-length windows in the trainer: each step's learning rate scaled by its
/// drawn length, the epoch's rate back after every step, and every sampler but the parallel
/// one refused.
@Suite struct VariableStepsTrainingTests {
    /// SGD that records the rate of every update.
    final class Rates { var values: [Double] = [] }
    struct RecordingSGD: Optimizer {
        var inner: SGD
        let rates: Rates
        var learningRate: Double {
            get { inner.learningRate }
            set { inner.learningRate = newValue }
        }
        mutating func step(_ parameters: [Parameter<Float>]) {
            rates.values.append(inner.learningRate)
            inner.step(parameters)
        }
        func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] { inner.stateTensors(for: parameters) }
        var checkpointState: OptimizerState { inner.checkpointState }
        mutating func restore(tensors: [String: SafeTensors.Tensor], state: OptimizerState, parameters: [Parameter<Float>]) throws {
            try inner.restore(tensors: tensors, state: state, parameters: parameters)
        }
    }

    func request(_ output: String, epochs: Int = 3) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: epochs, sampler: .parallel)
        request.training.lr = 2
        request.training.schedule = .step(factor: 0.5, every: 1)
        request.training.variableSteps = .init(halfProbability: 0.3, spread: 3)
        return request
    }

    @Test func eachStepRunsAtTheEpochsRateTimesItsDrawnLengthOverTheBase() throws {
        let run = try TrainingRun(request(TrainingFixtures.temporaryDirectory() + "/run"))
        let trainer = run.trainer
        let rates = Rates()
        trainer.optimizer = RecordingSGD(inner: SGD(learningRate: 2), rates: rates)
        var expected: [Double] = [], windows: [Int] = []
        trainer.onProgress = { progress in
            guard case .variable(let sampler) = trainer.sampler else { return }
            let epochRate = 2 * pow(0.5, Double(progress.epoch - 1))
            expected.append(epochRate * Double(sampler.drawnLength) / 6)
            windows.append(sampler.drawnLength)
        }
        _ = try trainer.train()
        #expect(rates.values.count == expected.count && rates.values.count > 20)
        #expect(rates.values == expected)
        #expect(Set(windows).count > 3, "the lengths never varied: \(windows)")
        #expect(trainer.optimizer.learningRate == 2 * 0.25, "the epoch's rate must be back after the last step")
        let log = try String(contentsOfFile: run.directory.path + "/log.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3)
    }

    /// A checkpoint taken mid-epoch (where a signal would write one) continues byte for byte:
    /// the lengths' generator, the position in the epoch and the carried state come back.
    @Test(arguments: [3, 7])
    func aMidEpochCheckpointContinuesExactly(atBatch stop: Int) throws {
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        let run = try TrainingRun(request(straight))
        var saved: Data?
        run.trainer.onProgress = { progress in
            guard progress.epoch == 2 && progress.batch == stop, saved == nil else { return }
            let (state, tensors) = run.trainer.checkpointContents()
            saved = try? TrainingCheckpoint.encode(model: run.trainer.model, tensors: tensors, state: state)
        }
        _ = try run.trainer.train()
        let bytes = try #require(saved)
        let continued = TrainingFixtures.temporaryDirectory() + "/run"
        let trainer = try TrainingRun(request(continued)).trainer
        let (state, tensors) = try TrainingCheckpoint.decode(bytes, origin: "mid-epoch", model: trainer.model, like: trainer.state)
        #expect(state.epoch == 1 && state.batchInEpoch == stop)
        try trainer.restore(state, tensors: tensors)
        try trainer.sampler.restore(state.sampler)
        _ = try trainer.train()
        let a = FileManager.default.contents(atPath: straight + "/model.safetensors")
        #expect(a != nil && a == FileManager.default.contents(atPath: continued + "/model.safetensors"))
    }

    @Test func fixedWindowsAreUnchanged() throws {
        let a = TrainingFixtures.temporaryDirectory() + "/run", b = TrainingFixtures.temporaryDirectory() + "/run"
        var fixed = request(a, epochs: 2)
        fixed.training.variableSteps = nil
        _ = try TrainingRun(fixed).trainer.train()
        _ = try TrainingRun(request(b, epochs: 2)).trainer.train()
        let config = try String(contentsOfFile: a + "/config.json", encoding: .utf8)
        #expect(!config.contains("variableSteps") && !config.contains("finetune"))
        #expect(try String(contentsOfFile: b + "/config.json", encoding: .utf8).contains("\"variableSteps\""))
        #expect(FileManager.default.contents(atPath: a + "/model.safetensors") != FileManager.default.contents(atPath: b + "/model.safetensors"))
    }

    @Test(arguments: [TrainingOptions.SamplerKind.sequential, .random])
    func otherSamplersAreRefusedByKeyPath(sampler: TrainingOptions.SamplerKind) throws {
        var request = request(TrainingFixtures.temporaryDirectory() + "/run")
        request.training.sampler = sampler
        do {
            _ = try TrainingRun(request)
            Issue.record("variable windows on \(sampler) must be refused")
        } catch let error as SettingsError {
            #expect(error.key == "data.variableSteps")
            #expect("\(error)" == "data.variableSteps walks the rows of data.sampler parallel (AWD-LSTM's layout); \(sampler.rawValue) windows have a fixed length")
        }
    }
}
