import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
import Testing
@testable import LMTraining

/// AWD-LSTM's fine-tuning stage (`--finetune RUN`): the weights start from the run's best
/// checkpoint, averaging is on from the first step, the run is never written, the new stage
/// records where it started and resumes exactly, and a bad origin is refused in one line.
@Suite struct FinetuneTests {
    /// A finished run to fine-tune whose best checkpoint holds an average: itself a stage (2
    /// epochs, averaging from its first step) of a plain 2-epoch SGD run with validation. An
    /// NT-ASGD run would average only from an epoch its validation losses decide, and on this tiny
    /// model those move with the BLAS kernels' summation order (on OpenBLAS's SkylakeX kernels
    /// its best epoch came before the trigger, so the best checkpoint held no average).
    static func finishedRun() throws -> (path: String, corpus: String, valid: String) {
        let corpus = TrainingFixtures.corpus(), valid = ResumeExactnessTests.reversedWords(TrainingFixtures.corpus(lines: 5))
        let plain = TrainingFixtures.temporaryDirectory() + "/plain"
        var request = TrainingFixtures.request(corpus: corpus, output: plain, epochs: 2, sampler: .parallel)
        request.training.validFile = valid
        request.training.lr = 4
        _ = try TrainingRun(request).trainer.train()
        let path = TrainingFixtures.temporaryDirectory() + "/first"
        request.output = path
        request.training.finetune = FinetuneOrigin(run: plain)
        _ = try TrainingRun(request).trainer.train()
        return (path, corpus, valid)
    }

    func stage(_ first: (path: String, corpus: String, valid: String), output: String, epochs: Int = 2) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: first.corpus, output: output, epochs: epochs, sampler: .parallel)
        request.training.validFile = first.valid
        request.training.lr = 1
        request.training.clip = 0.5
        request.training.variableSteps = .init(halfProbability: 0.2, spread: 2)
        request.training.finetune = FinetuneOrigin(run: first.path)
        return request
    }

    /// Every file under `directory` with its bytes.
    static func contents(of directory: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: directory)! {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { result[name] = data }
        }
        return result
    }

    @Test func theStageStartsFromTheBestAverageAndAveragesFromStepOne() throws {
        let first = try Self.finishedRun()
        let before = Self.contents(of: first.path)
        let output = TrainingFixtures.temporaryDirectory() + "/stage"
        let run = try TrainingRun(stage(first, output: output))
        let trainer = run.trainer
        // The weights are the first run's best checkpoint as its evaluation used them.
        var unused = RandomGenerator(seed: 0)
        let best = try RecurrentLM<Float>(config: trainer.config.model, using: &unused)
        let saved = try TrainingCheckpoint.readEvaluationWeights(from: first.path + "/checkpoints/best.safetensors", into: best, like: trainer.state)
        #expect(saved.averaging?.isAveraging == true, "the first run must have averaged, so the average is what the stage loads")
        for (a, b) in zip(trainer.model.parameters, best.parameters) { #expect(a.value.array == b.value.array, "\(a.name)") }
        let note = run.resumeNotes.first ?? ""
        #expect(note.hasPrefix("fine-tuning \(first.path): the weights of \(first.path)/checkpoints/best.safetensors (epoch "), "\(note)")
        #expect(trainer.state.averaging?.triggerEpoch == 0)
        _ = try trainer.train()
        let log = try String(contentsOfFile: output + "/log.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
        let windows = Int(trainer.state.windowsTrained ?? 0)
        let averaged = trainer.checkpointContents().state.averaging
        #expect(windows > 0 && averaged?.updates == windows && averaged?.triggerEpoch == 0, "every update of the stage is averaged")
        let config = try RunDirectory(path: output).readConfig()
        #expect(config.training.finetune == FinetuneOrigin(run: first.path))
        #expect(config.settings.run.start == .finetune(from: first.path))
        #expect(Self.contents(of: first.path) == before, "the fine-tuned run must be left untouched")
    }

    @Test func theStageResumesExactly() throws {
        let first = try Self.finishedRun()
        let straight = TrainingFixtures.temporaryDirectory() + "/stage"
        _ = try TrainingRun(stage(first, output: straight, epochs: 4)).trainer.train()
        let split = TrainingFixtures.temporaryDirectory() + "/stage"
        _ = try TrainingRun(stage(first, output: split, epochs: 2)).trainer.train()
        var resumed = stage(first, output: split, epochs: 4)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == 2)
        _ = try run.trainer.train()
        let a = FileManager.default.contents(atPath: straight + "/model.safetensors")
        #expect(a != nil && a == FileManager.default.contents(atPath: split + "/model.safetensors"))
    }

    @Test func aBadOriginIsRefusedInOneLine() throws {
        let first = try Self.finishedRun()
        func refusal(_ change: (inout TrainingFixtures.Request) -> Void) -> String {
            var request = stage(first, output: TrainingFixtures.temporaryDirectory() + "/stage")
            change(&request)
            do {
                _ = try TrainingRun(request)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let missing = refusal { $0.training.finetune = FinetuneOrigin(run: "/nonexistent/run") }
        #expect(missing == "run.start /nonexistent/run: no such run directory")
        let wider = refusal { $0.model.hiddenSize = 16 }
        #expect(wider == "run.start \(first.path): its model differs from this one in model.hiddenSize was 12, now 16; fine-tuning keeps the architecture (only the dropout may change)")
        let itself = refusal { $0.output = first.path }
        #expect(itself == "run.output \(first.path) is the run being fine-tuned; the new stage needs a directory of its own")
        let adam = refusal { $0.training.optimizer = .adam }
        #expect(adam == "run.start continues with averaged SGD; it needs optimizer.kind sgd (got adam)")
        let noBest = TrainingFixtures.temporaryDirectory() + "/copy"
        try FileManager.default.copyItem(atPath: first.path, toPath: noBest)
        try FileManager.default.removeItem(atPath: noBest + "/checkpoints/best.safetensors")
        let unfinished = refusal { $0.training.finetune = FinetuneOrigin(run: noBest) }
        #expect(unfinished.hasPrefix("run.start \(noBest): \(noBest)/checkpoints/best.safetensors does not exist"), "\(unfinished)")
        for message in [missing, wider, itself, adam, unfinished] { #expect(!message.contains("\n")) }
        // Dropout may change.
        #expect(refusal { $0.model.dropout = Dropout(output: 0.3) } == "accepted")
    }
}
