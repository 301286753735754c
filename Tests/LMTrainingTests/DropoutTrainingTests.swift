import Foundation
import LMData
import LMModelFiles
import LMSettings
import LMModels
import Testing
@testable import LMTraining

/// Dropout in training: off is bit-for-bit the model without it, and every kind resumes exactly.
@Suite struct DropoutTrainingTests {
    /// Dropout off (all probabilities 0, even with a key and `locked`) gives the very losses
    /// and weights of a configuration that has no dropout field, step after step.
    @Test(arguments: CellRegistry.kinds)
    func dropoutOffIsBitForBitNoDropout(kind: ModelConfig.Kind) throws {
        let json = #"{"kind":"\#(kind.rawValue)","vocabularySize":7,"embeddingSize":4,"hiddenSize":6,"layers":2,"initialization":{"scheme":"uniform","scale":0.3}}"#
        let withoutField = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        var zero = withoutField
        zero.dropout = Dropout(input: 0, hidden: 0, output: 0, locked: true, embedding: 0, weightDrop: 0)
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5), data = RandomGenerator(seed: 6)
        let a = try RecurrentLM<Float>(config: withoutField, using: &g1), b = try RecurrentLM<Float>(config: zero, using: &g2)
        var oa: any Optimizer = Adam(learningRate: 0.01), ob: any Optimizer = Adam(learningRate: 0.01)
        let sa = TrainingStep(model: a, clip: 1), sb = TrainingStep(model: b, clip: 1)
        for w in 0..<6 {
            let x = (0..<15).map { _ in Int32(data.next(below: 7)) }, y = (0..<15).map { _ in Int32(data.next(below: 7)) }
            let la = try sa.run(inputs: x, targets: y, steps: 5, batch: 3, optimizer: &oa)
            let lb = try sb.run(inputs: x, targets: y, steps: 5, batch: 3, optimizer: &ob, dropout: DropoutKey(seed: 9, window: UInt64(w)))
            #expect(la != nil && la == lb)
        }
        #expect(a.parameters.map { $0.value.array } == b.parameters.map { $0.value.array })
    }

    static let kinds: [(String, Dropout)] = [
        ("fresh", Dropout(input: 0.3, hidden: 0.3, output: 0.3)),
        ("locked", Dropout(input: 0.3, hidden: 0.3, output: 0.3, locked: true)),
        ("embedding", Dropout(embedding: 0.2)),
        ("weight drop", Dropout(weightDrop: 0.3)),
    ]

    static func request(corpus: String, output: String, epochs: Int, dropout: Dropout) -> TrainingFixtures.Request {
        var r = TrainingFixtures.request(corpus: corpus, output: output, epochs: epochs, kind: .lstm)
        r.model.embeddingSize = 6
        r.model.layers = 2
        r.model.hiddenSize = 8
        r.model.dropout = dropout
        r.training.checkpointEvery = 5
        return r
    }

    func weights(_ directory: String) -> Data? { FileManager.default.contents(atPath: directory + "/model.safetensors") }

    /// 10 epochs straight equal 5 + 5 resumed, byte for byte, with each kind of dropout on,
    /// and differ from the run without dropout.
    @Test(arguments: 0..<kinds.count)
    func resumeContinuesExactly(kind: Int) throws {
        let dropout = Self.kinds[kind].1
        let corpus = TrainingFixtures.corpus(lines: 30)
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: straight, epochs: 10, dropout: dropout)).trainer.train()
        let split = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: split, epochs: 5, dropout: dropout)).trainer.train()
        var resumed = Self.request(corpus: corpus, output: split, epochs: 10, dropout: dropout)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == 5)
        _ = try run.trainer.train()
        #expect(weights(straight) != nil && weights(straight) == weights(split), "\(Self.kinds[kind].0)")

        let plain = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: plain, epochs: 1, dropout: .off)).trainer.train()
        let once = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: once, epochs: 1, dropout: dropout)).trainer.train()
        #expect(weights(plain) != weights(once), "\(Self.kinds[kind].0) dropout changed nothing")
    }

    /// Resuming with other dropout settings is refused, naming the field.
    @Test func resumeRefusesChangedDropout() throws {
        let corpus = TrainingFixtures.corpus(lines: 30)
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        _ = try TrainingRun(Self.request(corpus: corpus, output: output, epochs: 1, dropout: Dropout(hidden: 0.3))).trainer.train()
        var request = Self.request(corpus: corpus, output: output, epochs: 2, dropout: Dropout(hidden: 0.4))
        request.resume = true
        #expect(throws: TrainingError.resumeMismatch("the settings differ from the checkpoint's in \(output)/config.json: model.dropout.hidden was 0.3, now 0.4")) {
            _ = try TrainingRun(request)
        }
    }

    /// The dropout generator is a third fork: the initialization and sampling streams are the
    /// ones two forks of the seed give.
    @Test func dropoutSeedLeavesTheOtherGeneratorsAlone() {
        var root = RandomGenerator(seed: 42)
        let i = root.fork(), s = root.fork()
        let g = Trainer.generators(seed: 42)
        #expect(g.initialization == i && g.sampling == s && g.dropout != s)
        #expect(Trainer.dropoutSeed(seed: 42) == Trainer.dropoutSeed(seed: 42) && Trainer.dropoutSeed(seed: 42) != Trainer.dropoutSeed(seed: 43))
    }
}
