import Foundation
@testable import LMSettings
import Testing

/// The cache pointer's and dynamic evaluation's settings: their text forms, their one
/// validation, errors by key path.
@Suite struct EvaluationGainsTests {
    @Test func textFormsParse() {
        #expect(CachePointer(parsing: "500,1.0,0.1") == CachePointer(window: 500, theta: 1, lambda: 0.1))
        #expect(CachePointer(parsing: "500,1.0,0.1")?.text == "500,1.0,0.1")
        for bad in ["500,1", "500,1,0.1,2", "a,1,0.1", "500.5,1,0.1", "", "500,,0.1"] { #expect(CachePointer(parsing: bad) == nil, "\(bad)") }
        #expect(DynamicEvaluation(parsing: "0.002") == DynamicEvaluation(learningRate: 0.002, decay: 0))
        #expect(DynamicEvaluation(parsing: "0.002,0.02") == DynamicEvaluation(learningRate: 0.002, decay: 0.02))
        for bad in ["", "x", "0.1,", "0.1,0.2,0.3", "0.1,y"] { #expect(DynamicEvaluation(parsing: bad) == nil, "\(bad)") }
    }

    @Test func badValuesNameTheirKeyPath() {
        let cases: [(EvaluationGains, String, String)] = [
            (EvaluationGains(cachePointer: CachePointer(window: 0)), "gains.cachePointer.window",
             "gains.cachePointer 0,1.0,0.1: the window must be at least 1 position (got 0)"),
            (EvaluationGains(cachePointer: CachePointer(theta: .infinity)), "gains.cachePointer.theta",
             "gains.cachePointer 500,inf,0.1: theta must be finite (got inf)"),
            (EvaluationGains(cachePointer: CachePointer(lambda: 1)), "gains.cachePointer.lambda",
             "gains.cachePointer 500,1.0,1.0: lambda must be in [0, 1) (got 1.0)"),
            (EvaluationGains(cachePointer: CachePointer(lambda: -0.1)), "gains.cachePointer.lambda",
             "gains.cachePointer 500,1.0,-0.1: lambda must be in [0, 1) (got -0.1)"),
            (EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: 0)), "gains.dynamicEvaluation.learningRate",
             "gains.dynamicEvaluation 0.0,0.0: the learning rate must be positive and finite (got 0.0)"),
            (EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: .nan)), "gains.dynamicEvaluation.learningRate",
             "gains.dynamicEvaluation nan,0.0: the learning rate must be positive and finite (got nan)"),
            (EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: 0.1, decay: 1)), "gains.dynamicEvaluation.decay",
             "gains.dynamicEvaluation 0.1,1.0: the decay must be in [0, 1) (got 1.0)"),
        ]
        for (gains, key, message) in cases {
            do {
                try gains.validate()
                Issue.record("\(gains) passed")
            } catch let error as SettingsError {
                #expect(error.key == key && error.problem == .outOfRange)
                #expect("\(error)" == message)
            } catch { Issue.record("\(error)") }
        }
        #expect(throws: Never.self) {
            try EvaluationGains(cachePointer: CachePointer(window: 1, theta: 0, lambda: 0),
                                dynamicEvaluation: DynamicEvaluation(learningRate: 1e-9, decay: 0.99)).validate()
        }
    }

    /// A training run's gains are validated with the rest of its settings, and round-trip.
    @Test func trainingSettingsCarryThem() throws {
        var s = TrainingSettings(corpus: "c")
        #expect(s.gains.isNone && s.gains.summary == "none")
        s.gains = EvaluationGains(cachePointer: CachePointer(), dynamicEvaluation: DynamicEvaluation(learningRate: 0.002, decay: 0.02))
        #expect(s.gains.summary == "cache pointer 500,1.0,0.1 (window, theta, lambda), dynamic evaluation 0.002,0.02 (lr, decay)")
        #expect(try JSONDecoder().decode(TrainingSettings.self, from: JSONEncoder().encode(s)) == s)
        s.gains.dynamicEvaluation?.decay = 2
        #expect(throws: SettingsError.self) { try s.validateTraining() }
    }
}
