import Foundation
import LMData
import LMModelFiles
import LMSettings
import LMModels
import Testing
@testable import LMTraining

@Suite struct TrainerTests {
    func weights(_ directory: String) -> Data? {
        FileManager.default.contents(atPath: directory + "/model.safetensors")
    }

    @Test(arguments: [TrainingOptions.SamplerKind.sequential, .random, .parallel])
    func resumeContinuesExactly(sampler: TrainingOptions.SamplerKind) throws {
        let corpus = TrainingFixtures.corpus()
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: straight, epochs: 4, sampler: sampler)).trainer.train()

        let split = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: split, epochs: 2, sampler: sampler)).trainer.train()
        var resumed = TrainingFixtures.request(corpus: corpus, output: split, epochs: 4, sampler: sampler)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == 2)
        _ = try run.trainer.train()
        #expect(weights(straight) != nil && weights(straight) == weights(split))
        let log = try String(contentsOfFile: split + "/log.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 4)
    }

    @Test func validationDoesNotChangeTrainingBatches() throws {
        let corpus = TrainingFixtures.corpus()
        let plain = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: plain, epochs: 2)).trainer.train()
        let validated = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: corpus, output: validated, epochs: 2)
        request.training.validFile = TrainingFixtures.corpus(lines: 5)
        let outcome = try TrainingRun(request).trainer.train()
        guard case .finished(let report?) = outcome else { Issue.record("no report"); return }
        #expect(report.validationPerplexity != nil)
        #expect(weights(plain) == weights(validated))
    }

    @Test func validationReadsTheTextInEvalBatchRows() throws {
        let corpus = TrainingFixtures.corpus(), valid = TrainingFixtures.corpus(lines: 8)
        func run(evalBatch: Int?) throws -> (run: TrainingRun, perplexity: Double) {
            var request = TrainingFixtures.request(corpus: corpus, output: TrainingFixtures.temporaryDirectory() + "/run", epochs: 1)
            request.training.validFile = valid
            request.training.evalBatch = evalBatch
            let run = try TrainingRun(request)
            guard case .finished(let report?) = try run.trainer.train(), let p = report.validationPerplexity else {
                throw TrainingError.invalidSetting("no validation report")
            }
            return (run, p)
        }
        let rows = try run(evalBatch: nil), one = try run(evalBatch: 1)
        #expect(weights(rows.run.directory.path) == weights(one.run.directory.path))
        let stream = try TokenStream(contentsOfFile: valid, vocabulary: one.run.vocabulary, pipeline: one.run.vocabularyFile.pipeline)
        let steps = one.run.trainer.config.training.steps, batch = one.run.trainer.config.training.batch
        #expect(one.perplexity == (try Evaluator.evaluate(one.run.trainer.model, on: stream, batch: 1, steps: steps)).perplexity)
        #expect(rows.perplexity == (try Evaluator.evaluate(rows.run.trainer.model, on: stream, batch: batch, steps: steps)).perplexity)
        #expect(one.perplexity != rows.perplexity)
        var bad = TrainingOptions(corpus: corpus)
        bad.evalBatch = 0
        #expect(throws: SettingsError(.outOfRange, "data.evalBatch", "\(setting: "data.evalBatch") must be at least 1 (got 0)")) { try bad.validate() }
    }

    @Test func nanLossStopsWithTheLastGoodCheckpointIntact() throws {
        let corpus = TrainingFixtures.corpus()
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: output, epochs: 2)).trainer.train()
        let good = weights(output)
        var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: 4)
        request.resume = true
        request.training.lr = 1e30
        request.training.clip = nil
        // A changed learning rate is a different configuration: refused.
        #expect(throws: TrainingError.self) { try TrainingRun(request) }
        var fresh = TrainingFixtures.request(corpus: corpus, output: TrainingFixtures.temporaryDirectory() + "/run", epochs: 3)
        fresh.training.lr = 1e30
        fresh.training.clip = nil
        do {
            _ = try TrainingRun(fresh).trainer.train()
            Issue.record("training should diverge")
        } catch let error as TrainingError {
            #expect(error.description.contains("NaN or infinite"))
        }
        #expect(weights(output) == good)
    }

    @Test func resumingWithOtherSettingsSaysWhichDiffer() throws {
        let corpus = TrainingFixtures.corpus()
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: output, epochs: 2)).trainer.train()
        var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: 4)
        request.resume = true
        request.model.hiddenSize = 20
        #expect(throws: TrainingError.resumeMismatch("the settings differ from the checkpoint's in \(output)/config.json: model.hiddenSize was 12, now 20")) {
            try TrainingRun(request)
        }
    }

    @Test func anExistingRunIsNeverOverwrittenSilently() throws {
        let corpus = TrainingFixtures.corpus()
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: output, epochs: 1)).trainer.train()
        #expect(throws: TrainingError.self) { try TrainingRun(TrainingFixtures.request(corpus: corpus, output: output, epochs: 1)) }
    }

    @Test func tooShortCorpusSaysWhatFitsBeforeWritingAnything() throws {
        let corpus = TrainingFixtures.corpus(lines: 1)
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: corpus, output: output)
        request.training.batch = 32
        request.training.steps = 35
        do {
            _ = try TrainingRun(request)
            Issue.record("should be too short")
        } catch let error as TrainingError {
            #expect(error.description.contains("too short"))
            #expect(error.description.contains("batch size"))
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func trainingLowersThePerplexity() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: 8)
        request.training.optimizer = .adam
        request.training.lr = 0.01
        let outcome = try TrainingRun(request).trainer.train()
        let log = TrainingLog(path: output + "/log.jsonl", keepingThrough: 100).reports
        #expect(log.count == 8)
        guard case .finished(let last?) = outcome, let first = log.first else { Issue.record("no report"); return }
        #expect(last.trainPerplexity < first.trainPerplexity * 0.8)
        let svg = try String(contentsOfFile: output + "/curve.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.contains(">epoch<") && svg.contains(">perplexity<"))
        // Keep the newest `keep` (3) regular checkpoints and the best one.
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: output + "/checkpoints").sorted()
        #expect(checkpoints == ["best.safetensors", "epoch-000004.safetensors", "epoch-000006.safetensors", "epoch-000008.safetensors"])
    }
}
