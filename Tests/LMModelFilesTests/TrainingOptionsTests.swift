import Testing
import LMModelFiles

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
