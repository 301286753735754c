import Foundation
import LMModelFiles
import LMModels
import LMSettings
import Testing
@testable import LMTraining

/// AWD-LSTM's model settings in training: AR, TAR and layers of different widths train,
/// change the weights, resume exactly, and a resume with other values is refused.
@Suite struct ActivationRegularizationTrainingTests {
    /// ``DropoutTrainingTests``' tiny LSTM, AWD-shaped: widths 10, 6 (the top tied to a 6-wide
    /// embedding), locked dropout, AR and TAR.
    static func request(corpus: String, output: String, epochs: Int, regularization: ModelConfig.ActivationRegularization) -> TrainingFixtures.Request {
        var r = DropoutTrainingTests.request(corpus: corpus, output: output, epochs: epochs,
                                             dropout: Dropout(input: 0.2, hidden: 0.2, output: 0.2, locked: true, weightDrop: 0.2))
        r.model.layerWidths = .perLayer([10, 6])
        r.model.tied = true
        r.model.activationRegularization = regularization
        return r
    }

    func weights(_ directory: String) -> Data? { FileManager.default.contents(atPath: directory + "/model.safetensors") }

    /// 10 epochs straight equal 5 + 5 resumed, byte for byte; AR/TAR change the weights; the
    /// config.json records the widths and the weights.
    @Test func resumeContinuesExactly() throws {
        let awd = ModelConfig.ActivationRegularization(ar: 2, tar: 1)
        let corpus = TrainingFixtures.corpus(lines: 30)
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: straight, epochs: 10, regularization: awd)).trainer.train()
        let split = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: split, epochs: 5, regularization: awd)).trainer.train()
        var resumed = Self.request(corpus: corpus, output: split, epochs: 10, regularization: awd)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == 5)
        _ = try run.trainer.train()
        #expect(weights(straight) != nil && weights(straight) == weights(split))

        let config = try RunDirectory(path: split).readConfig()
        #expect(config.model.layerWidths == .perLayer([10, 6]) && config.model.activationRegularization == awd)
        let text = try String(contentsOfFile: split + "/config.json", encoding: .utf8)
        #expect(text.contains("\"activationRegularization\"") && text.contains("\"hiddenSize\" : [\n      10,\n      6\n    ]"))

        let plain = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: plain, epochs: 1, regularization: .off)).trainer.train()
        let once = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: once, epochs: 1, regularization: awd)).trainer.train()
        #expect(weights(plain) != weights(once), "AR and TAR changed nothing")
    }

    /// Resuming with another AR weight is refused, naming the field.
    @Test func resumeRefusesChangedRegularization() throws {
        let corpus = TrainingFixtures.corpus(lines: 30)
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: output, epochs: 1, regularization: .init(ar: 2))).trainer.train()
        var request = Self.request(corpus: corpus, output: output, epochs: 2, regularization: .init(ar: 1))
        request.resume = true
        #expect(throws: TrainingError.self) { _ = try TrainingRun(request) }
        do { _ = try TrainingRun(request) } catch {
            #expect("\(error)".contains("model.activationRegularization.ar was 2"), "\(error)")
        }
    }
}
