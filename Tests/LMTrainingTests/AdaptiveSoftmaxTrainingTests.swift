import Foundation
import LMModelFiles
import LMSettings
import LMModels
import Testing
@testable import LMTraining

/// A run with an adaptive softmax head: trained, saved under its own parameter names,
/// loaded back as the same model, its settings fixed on resume, refused by the PyTorch export.
@Suite struct AdaptiveSoftmaxTrainingTests {
    static func request(_ corpus: String, _ output: String, epochs: Int, cutoffs: [Int] = [4, 10]) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: epochs, kind: .lstm)
        request.model.embeddingSize = 6
        request.model.adaptiveSoftmax = .init(cutoffs: cutoffs, divValue: 2)
        return request
    }

    @Test func aRunSavesLoadsAndKeepsItsHead() throws {
        let corpus = TrainingFixtures.corpus()
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        let run = try TrainingRun(Self.request(corpus, output, epochs: 3))
        _ = try run.trainer.train()
        let (tensors, _) = try SafeTensors.read(from: output + "/model.safetensors")
        let names = Set(tensors.map(\.name))
        #expect(names.isSuperset(of: ["output.head.W", "output.tail.0.proj", "output.tail.0.W", "output.tail.1.proj", "output.tail.1.W"]))
        #expect(!names.contains("output.W_hq") && !names.contains("output.b_q"))
        let config = try String(contentsOfFile: output + "/config.json", encoding: .utf8)
        #expect(config.contains("\"adaptiveSoftmax\""))
        let loaded = try RunDirectory.load(output)
        #expect(loaded.model.outputLayer.adaptive != nil)
        #expect(loaded.model.config == run.trainer.model.config)
        for p in run.trainer.model.parameters {
            #expect(loaded.model.parameter(named: p.name)?.value.array == p.value.array, "\(p.name)")
        }

        var changed = Self.request(corpus, output, epochs: 4, cutoffs: [5, 10])
        changed.resume = true
        do {
            _ = try TrainingRun(changed)
            Issue.record("resuming with other cutoffs was accepted")
        } catch let error as TrainingError {
            #expect("\(error)".contains("model.adaptiveSoftmax.cutoffs"), "\(error)")
        }

        let exported = TrainingFixtures.temporaryDirectory() + "/model.safetensors"
        #expect(throws: PyTorchStateDictError.adaptiveSoftmax(path: output)) {
            try PyTorchConversion.export(run: output, to: exported)
        }
        #expect(!FileManager.default.fileExists(atPath: exported))
    }
}
