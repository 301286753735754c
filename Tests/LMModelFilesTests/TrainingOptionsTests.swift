import Foundation
import Testing
import LMModelFiles
import LMSettings

@Suite struct TrainingOptionsTests {
    @Test func decayIsWrittenFactorColonEpochs() {
        #expect(TrainingOptions.Decay(parsing: "0.5:100") == TrainingOptions.Decay(factor: 0.5, every: 100))
        for text in ["0.5", "0.5:", ":100", "0.5:100:2", "half:100", "0.5:1.5", ""] {
            #expect(TrainingOptions.Decay(parsing: text) == nil, "\(text)")
        }
    }

    @Test func eachOptimizerHasItsDefaultLearningRate() {
        #expect(TrainingOptions.OptimizerKind.sgd.defaultLearningRate == 1)
        #expect(TrainingOptions.OptimizerKind.adam.defaultLearningRate == 0.001)
        #expect(TrainingOptions.OptimizerKind.rmsprop.defaultLearningRate == 0.01)
    }
}

/// `config.json` records the final test's gains (``TrainingSettings/gains``), and only when given.
@Suite struct TrainingOptionsGainsTests {
    @Test func gainsAreRecordedWhenGiven() throws {
        var settings = TrainingSettings(corpus: "c")
        #expect(TrainingOptions(settings).gains == nil)
        settings.gains = EvaluationGains(cachePointer: CachePointer(window: 100, theta: 0.5, lambda: 0.2))
        let options = TrainingOptions(settings)
        #expect(options.gains == settings.gains)
        let decoded = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(options))
        #expect(RunConfig(model: settings.model, training: decoded, data: nil, vocabulary: nil).settings.gains == settings.gains)
        // Without gains config.json is as before: no "gains" key.
        let plain = String(decoding: try JSONEncoder().encode(TrainingOptions(TrainingSettings(corpus: "c"))), as: UTF8.self)
        let recorded = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        #expect(!plain.contains("gains") && recorded.contains("\"gains\""))
    }
}
