import Foundation
import LMModelFiles
import LMModels
import Testing
@testable import LMTraining

/// Checkpoints written before the trainer state was typed (by 6cda9c3, in
/// `Tests/Fixtures/LegacyCheckpoints`: the sampler position as JSON in a string, the
/// optimizer's scalars in a dictionary) still resume, to the same state as the typed format.
@Suite struct LegacyCheckpointTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let sampler: TrainingOptions.SamplerKind
        /// Completed epochs in the checkpoint.
        let epoch: Int
        let apply: @Sendable (inout TrainingOptions) -> Void
        /// What the old scalars and position say, typed.
        let check: @Sendable (TrainerState) -> Void
        var testDescription: String { name }
        var path: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
                + "/Fixtures/LegacyCheckpoints/\(name)-epoch-\(epoch).safetensors"
        }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "sgd-asgd-plateau-sequential", sampler: .sequential, epoch: 5,
                apply: { $0.asgdNonmonotone = 1; $0.schedule = .plateau(factor: 0.5, patience: 0); $0.lr = 4 },
                check: { state in
                    #expect(state.optimizer == .sgd)
                    #expect(state.averaging?.triggerEpoch == 4 && state.averaging?.updates == 118 && state.averaging?.history.count == 3)
                    #expect(state.schedule?.rate == 2 && state.learningRate == 2)
                    guard case .sequential(let position) = state.sampler else { Issue.record("\(state.sampler)"); return }
                    #expect(position.epoch == 5 && position.tokenCount == 2844)
                }),
        Fixture(name: "adam-exponential-random", sampler: .random, epoch: 3,
                apply: { $0.optimizer = .adam; $0.lr = 0.01; $0.schedule = .exponential(from: 1, factor: 0.8) },
                check: { state in
                    #expect(state.optimizer == .adam(steps: 354) && state.averaging == nil)
                    guard case .random(let position) = state.sampler else { Issue.record("\(state.sampler)"); return }
                    #expect(position.epoch == 3 && position.offset == 4)
                }),
        Fixture(name: "rmsprop-parallel", sampler: .parallel, epoch: 3,
                apply: { $0.optimizer = .rmsprop; $0.lr = 0.01 },
                check: { state in
                    #expect(state.optimizer == .rmsprop && state.schedule == nil)
                    guard case .parallel(let position, let reported) = state.sampler else { Issue.record("\(state.sampler)"); return }
                    #expect(position.iteration == 2136 && reported == 3)
                }),
    ]

    /// The request the fixture's run was made with (its corpus and validation text are
    /// generated the same way every time).
    func request(_ fixture: Fixture, output: String, epochs: Int) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: epochs, sampler: fixture.sampler)
        request.training.validFile = ResumeExactnessTests.reversedWords(TrainingFixtures.corpus(lines: 5))
        request.training.checkpointEvery = 1
        request.training.keep = 10
        fixture.apply(&request.training)
        return request
    }

    @Test(arguments: fixtures)
    func oldCheckpointResumesAsTheTypedOne(fixture: Fixture) throws {
        // A run of the same settings, in the typed format, to the fixture's epoch.
        let typed = TrainingFixtures.temporaryDirectory() + "/run"
        let run = try TrainingRun(request(fixture, output: typed, epochs: fixture.epoch))
        _ = try run.trainer.train()
        let checkpoint = typed + String(format: "/checkpoints/epoch-%06d.safetensors", fixture.epoch)
        let own = try TrainingCheckpoint.read(from: checkpoint, model: run.trainer.model, like: run.trainer.state).state

        // The old checkpoint reads as typed state: what its scalars and JSON said.
        let (old, tensors) = try TrainingCheckpoint.read(from: fixture.path, model: run.trainer.model, like: run.trainer.state)
        fixture.check(old)
        // What the step count fixes matches a typed run of the same settings. Where NT-ASGD
        // triggered and the plateau rate rest on validation losses, which move with the BLAS
        // kernels' summation order (SkylakeX's sgemm moved this fixture's trigger): `check` pins
        // them as the old checkpoint recorded them, and the resumes below carry them.
        #expect(old.sampler == own.sampler && old.optimizer == own.optimizer && old.epoch == own.epoch
                && old.windowsTrained == own.windowsTrained)

        // The same checkpoint in the typed format (the loaded weights, carried state and tensors)…
        try TrainingCheckpoint.write(to: checkpoint, model: run.trainer.model, tensors: tensors.values.filter { $0.name.hasPrefix("optimizer.") }, state: old)
        // …and as it was, in a copy of the run.
        let legacy = TrainingFixtures.temporaryDirectory() + "/run"
        try FileManager.default.copyItem(atPath: typed, toPath: legacy)
        let legacyCheckpoint = legacy + String(format: "/checkpoints/epoch-%06d.safetensors", fixture.epoch)
        try FileManager.default.removeItem(atPath: legacyCheckpoint)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: legacyCheckpoint)

        // Both resume to the same state and train the same weights, byte for byte.
        var resumed: [Data?] = []
        for directory in [typed, legacy] {
            var request = request(fixture, output: directory, epochs: fixture.epoch + 2)
            request.resume = true
            let run = try TrainingRun(request)
            #expect(run.trainer.completedEpochs == fixture.epoch)
            #expect(run.resumedFrom?.hasSuffix(String(format: "epoch-%06d.safetensors", fixture.epoch)) == true)
            _ = try run.trainer.train()
            resumed.append(FileManager.default.contents(atPath: directory + "/model.safetensors"))
        }
        #expect(resumed[0] != nil && resumed[0] == resumed[1])
    }
}
