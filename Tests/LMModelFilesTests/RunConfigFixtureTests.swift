import Foundation
import LMTestSupport
import LMModelFiles
import LMModels
import LMSettings
import Testing

/// `config.json` files written by lm-train before the settings layer (at 6cda9c3) load into
/// today's types with the same values, and write back the same layout.
@Suite struct RunConfigFixtureTests {
    /// The fixture `name` read as a run directory's config.json.
    func config(_ name: String) throws -> RunConfig {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        let directory = TemporaryFolders.make("fixture")
        try FileManager.default.copyItem(atPath: url.path, toPath: directory + "/config.json")
        return try RunDirectory(path: directory).readConfig()
    }

    @Test func anLSTMRunLoadsIntoTheSettings() throws {
        let config = try config("config-6cda9c3-lstm")
        let s = config.settings
        #expect(s.model.kind == .lstm && s.model.hiddenSize == 8 && s.model.embeddingSize == 8 && s.model.vocabularySize == 20)
        #expect(s.model.tied && s.model.recurrentBias && s.model.initialization == .pytorch && s.model.forgetBias == 1)
        #expect(s.model.dropout == Dropout(input: 0.2, hidden: 0.2, output: 0.2, locked: true, weightDrop: 0.1))
        #expect(s.data.corpus == "tiny.txt" && s.data.validFile == "valid.txt" && s.data.maxTokens == 2000)
        #expect(s.data.batch == 4 && s.data.steps == 5 && s.data.evalBatch == 2 && s.data.sampler == .sequential)
        #expect(s.optimizer.kind == .sgd && s.optimizer.lr == 2 && s.optimizer.clip == 1 && s.optimizer.weightDecay == 0.001)
        #expect(s.optimizer.asgd == OptimizerSettings.Averaging(nonmonotone: 2))
        #expect(s.schedule == .plateau(factor: 0.5, patience: 0))
        #expect(s.run.epochs == 2 && s.run.seed == 3 && s.run.checkpointEvery == 1 && s.run.keep == 2 && s.run.testModel == .last)
        #expect(config.data?.valid?.bytes == 959)
        #expect(throws: Never.self) { try s.validate() }
    }

    @Test func anRMSPropRunWithTheOlderDecayLoads() throws {
        let config = try config("config-6cda9c3-rnn")
        let s = config.settings
        #expect(s.model.kind == .rnn && s.model.initialization == .normal(scale: 0.01) && s.model.dropout == .off)
        #expect(s.optimizer.kind == .rmsprop && s.optimizer.lr == 0.01 && s.optimizer.momentum == 0.5 && s.optimizer.nesterov)
        #expect(s.optimizer.rmspropDecay == 0.95 && s.optimizer.clip == nil && s.optimizer.asgd == nil && s.optimizer.weightDecay == 0)
        #expect(s.schedule == .step(factor: 0.5, every: 2))   // `decay`, read as the step schedule it is
        #expect(s.data.maxTokens == 10_000 && s.data.validationFraction == 0.1 && s.data.sampler == .random)
        #expect(config.training.learningRateSchedule == .step(factor: 0.5, every: 2))
    }

    /// A config.json whose cell kind no cell is registered for is refused naming the file and
    /// the kinds there are, before any model is built.
    @Test func anUnknownCellKindIsRefusedNamingTheFile() throws {
        let url = try #require(Bundle.module.url(forResource: "config-6cda9c3-rnn", withExtension: "json", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"kind\" : \"rnn\"") || text.contains("\"kind\":\"rnn\""))
        let directory = TemporaryFolders.make("fixture")
        try text.replacingOccurrences(of: "\"rnn\"", with: "\"peephole\"").write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        #expect(throws: ModelFileError.notARun(path: directory, reason: "config.json's cell kind peephole is none this LMKit has (rnn, gru or lstm)")) {
            try RunDirectory(path: directory).readConfig()
        }
    }

    /// A config.json written before per-layer widths and AR/TAR writes back its model part
    /// byte for byte; one with them round-trips.
    @Test func theModelPartWritesBackTheSameBytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for name in ["config-6cda9c3-lstm", "config-6cda9c3-rnn"] {
            let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
            let file = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            let model = try JSONSerialization.data(withJSONObject: try #require(file?["model"]), options: [.sortedKeys])
            let again = try JSONSerialization.jsonObject(with: encoder.encode(config(name).model))
            #expect(try JSONSerialization.data(withJSONObject: again, options: [.sortedKeys]) == model, "\(name)")
        }
        var awd = try config("config-6cda9c3-lstm")
        awd.model.layerWidths = .perLayer([12, 8])
        awd.model.layers = 2
        awd.model.activationRegularization = .init(ar: 2, tar: 1)
        let directory = NSTemporaryDirectory() + "fixture-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try RunDirectory(path: directory).writeConfig(awd)
        #expect(try RunDirectory(path: directory).readConfig().model == awd.model)
    }

    /// Settings → config.json → settings keeps every recorded value.
    @Test func theMappingRoundTrips() throws {
        for name in ["config-6cda9c3-lstm", "config-6cda9c3-rnn"] {
            let config = try config(name)
            let again = RunConfig(settings: config.settings, data: config.data)
            #expect(again.settings == config.settings)
            #expect(again.model == config.model)
        }
    }
}
