import Foundation
import LMModelFiles
import LMSettings
import LMModels
import Testing
@testable import LMTraining

/// 10 epochs straight equal 5 + 5 resumed, byte for byte (weights, and the log's perplexities
/// and rates), with each schedule and training option on.
@Suite struct ResumeExactnessTests {
    /// A training setting on top of the tiny fixture's.
    struct Setting: CustomTestStringConvertible, Sendable {
        let name: String
        var model: @Sendable (inout ModelConfig) -> Void = { _ in }
        let apply: @Sendable (inout TrainingOptions) -> Void
        var testDescription: String { name }
    }

    static let settings: [Setting] = [
        Setting(name: "step") { $0.schedule = .step(factor: 0.5, every: 3) },
        Setting(name: "after") { $0.schedule = .after(epochs: 4, factor: 0.5) },
        Setting(name: "exponential") { $0.schedule = .exponential(from: 3, factor: 0.9) },
        Setting(name: "plateau") { $0.schedule = .plateau(factor: 0.5, patience: 0) },
        Setting(name: "time budget not reached") { $0.timeBudget = 1e6; $0.schedule = .step(factor: 0.5, every: 3) },
        Setting(name: "asgd") { $0.asgdNonmonotone = 1; $0.schedule = .after(epochs: 1, factor: 0.9) },
        Setting(name: "weight decay sgd") { $0.weightDecay = 0.01; $0.schedule = .step(factor: 0.7, every: 2) },
        Setting(name: "weight decay adam") { $0.weightDecay = 0.01; $0.optimizer = .adam; $0.schedule = .exponential(from: 2, factor: 0.8) },
        // Everything at once on a tied two-bias LSTM: every dropout kind, a schedule, weight decay, NT-ASGD.
        Setting(name: "tied lstm, every dropout kind, plateau, weight decay, asgd", model: {
            $0.kind = .lstm
            $0.embeddingSize = 12
            $0.tied = true
            $0.recurrentBias = true
            $0.initialization = .pytorch
            $0.dropout = Dropout(input: 0.2, hidden: 0.3, output: 0.25, locked: false, embedding: 0.1, weightDrop: 0.2)
            $0.layers = 2
        }) { $0.schedule = .plateau(factor: 0.5, patience: 0); $0.weightDecay = 0.001; $0.asgdNonmonotone = 1 },
        Setting(name: "locked dropout, gru", model: {
            $0.kind = .gru
            $0.embeddingSize = 6
            $0.dropout = Dropout(input: 0.3, hidden: 0.3, output: 0.3, locked: true, embedding: 0, weightDrop: 0.1)
            $0.layers = 2
        }) { $0.schedule = .step(factor: 0.5, every: 3) },
        Setting(name: "pytorch gru, two biases, dropout and weight drop", model: {
            $0.kind = .gru
            $0.gruVariant = .pytorch
            $0.recurrentBias = true
            $0.embeddingSize = 6
            $0.dropout = Dropout(input: 0.2, hidden: 0.2, output: 0.2, locked: false, embedding: 0, weightDrop: 0.2)
            $0.layers = 2
        }) { $0.schedule = .exponential(from: 3, factor: 0.9) },
        // AWD-LSTM's variable-length windows: the lengths' generator is carried in the checkpoint.
        Setting(name: "variable-length windows, parallel sampler, weight decay, asgd") {
            $0.sampler = .parallel
            $0.variableSteps = .init(halfProbability: 0.3, spread: 3)
            $0.schedule = .after(epochs: 2, factor: 0.8)
            $0.weightDecay = 0.001
            $0.asgdNonmonotone = 1
        },
        // AWD-LSTM all at once: layers of their own widths, the last tied to the embedding, AR and
        // TAR, locked, embedding and weight dropout, variable-length windows, weight decay, NT-ASGD.
        Setting(name: "awd-lstm: unequal widths, ar, tar, variable windows, asgd", model: {
            $0.kind = .lstm
            $0.embeddingSize = 6
            $0.layerWidths = .perLayer([10, 8, 6])
            $0.layers = 3
            $0.tied = true
            $0.initialization = .pytorch
            $0.dropout = Dropout(input: 0.3, hidden: 0.2, output: 0.3, locked: true, embedding: 0.1, weightDrop: 0.3)
            $0.activationRegularization = .init(ar: 2, tar: 1)
        }) {
            $0.sampler = .parallel
            $0.variableSteps = .init(halfProbability: 0.3, spread: 3)
            $0.schedule = .after(epochs: 2, factor: 0.8)
            $0.weightDecay = 0.001
            $0.asgdNonmonotone = 1
        },
        Setting(name: "adaptive softmax lstm with dropout", model: {
            $0.kind = .lstm
            $0.embeddingSize = 6
            $0.adaptiveSoftmax = .init(cutoffs: [4, 10], divValue: 2)
            $0.dropout = Dropout(input: 0.2, hidden: 0, output: 0.2, locked: false, embedding: 0, weightDrop: 0)
        }) { $0.schedule = .step(factor: 0.5, every: 3) },
    ]

    /// A copy of the text at `path` with every word spelt backwards: validation on it gets
    /// worse as the model learns the words, so NT-ASGD's trigger fires within a few epochs.
    static func reversedWords(_ path: String) -> String {
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        let reversed = text.split(separator: "\n").map { $0.split(separator: " ").map { String($0.reversed()) }.joined(separator: " ") }
        let output = path + ".reversed"
        FileManager.default.createFile(atPath: output, contents: Data(reversed.joined(separator: "\n").utf8))
        return output
    }

    /// The log's lines without the timing fields.
    func logValues(_ directory: String) throws -> [String] {
        try String(contentsOfFile: directory + "/log.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return ["epoch", "train_ppl", "val_ppl", "lr"].map { "\($0)=\(object[$0].map { "\($0)" } ?? "-")" }.joined(separator: " ")
        }
    }

    func request(_ corpus: String, _ valid: String, _ output: String, epochs: Int, _ setting: Setting) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: epochs)
        request.training.validFile = valid
        request.training.lr = 4   // high enough that the plateau rule cuts within 10 epochs
        setting.apply(&request.training)
        setting.model(&request.model)
        if request.training.optimizer == .adam { request.training.lr = 0.01 }
        return request
    }

    @Test(arguments: settings)
    func tenStraightEqualFivePlusFive(setting: Setting) throws {
        let corpus = TrainingFixtures.corpus(), valid = setting.name.hasSuffix("asgd") ? Self.reversedWords(TrainingFixtures.corpus(lines: 5)) : TrainingFixtures.corpus(lines: 5)
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(request(corpus, valid, straight, epochs: 10, setting)).trainer.train()
        let averages = request(corpus, valid, straight, epochs: 10, setting).training.asgdNonmonotone != nil
        // With NT-ASGD, split after the epoch the straight run began averaging, so the resume carries the average.
        var splitAt = 5
        if averages {
            let trigger = try Self.triggerEpoch(straight)
            let straightLog = try logValues(straight)
            try #require(trigger != nil && trigger! < 9, "the straight run must start averaging before epoch 9: \(straightLog)")
            splitAt = max(splitAt, trigger! + 1)
        }
        let split = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(request(corpus, valid, split, epochs: splitAt, setting)).trainer.train()
        var resumed = request(corpus, valid, split, epochs: 10, setting)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == splitAt)
        _ = try run.trainer.train()
        let a = FileManager.default.contents(atPath: straight + "/model.safetensors")
        #expect(a != nil && a == FileManager.default.contents(atPath: split + "/model.safetensors"))
        let log = try logValues(straight)
        let resumedLog = try logValues(split)
        #expect(log.count == 10 && log == resumedLog)
        let rates = Set(log.map { $0.split(separator: " ").last! })
        #expect(rates.count > 1, "the schedule never changed the rate: \(log)")
        if averages {
            let trigger = try Self.triggerEpoch(split)
            #expect(trigger != nil && trigger! < splitAt, "averaging must start before the resume: \(log)")
        }
    }

    /// The epoch NT-ASGD began averaging in the run's newest checkpoint (nil before it does).
    static func triggerEpoch(_ run: String) throws -> Int? {
        let newest = try CheckpointDirectory(directory: run + "/checkpoints").newest!.path
        let (_, metadata) = try SafeTensors.read(from: newest)
        return try JSONDecoder().decode(TrainerState.self, from: Data(metadata["trainer"]!.utf8)).averaging?.triggerEpoch
    }
}

@Suite struct DecayAliasTests {
    @Test func lrDecayAndStepScheduleTrainTheSameWeights() throws {
        let corpus = TrainingFixtures.corpus()
        let viaDecay = TrainingFixtures.temporaryDirectory() + "/run"
        var a = TrainingFixtures.request(corpus: corpus, output: viaDecay, epochs: 4)
        a.training.decay = TrainingOptions.Decay(factor: 0.5, every: 2)
        _ = try TrainingRun(a).trainer.train()
        let viaSchedule = TrainingFixtures.temporaryDirectory() + "/run"
        var b = TrainingFixtures.request(corpus: corpus, output: viaSchedule, epochs: 4)
        b.training.schedule = .step(factor: 0.5, every: 2)
        _ = try TrainingRun(b).trainer.train()
        let constant = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(TrainingFixtures.request(corpus: corpus, output: constant, epochs: 4)).trainer.train()
        let weights = [viaDecay, viaSchedule, constant].map { FileManager.default.contents(atPath: $0 + "/model.safetensors") }
        #expect(weights[0] != nil && weights[0] == weights[1])
        #expect(weights[0] != weights[2])
    }
}
