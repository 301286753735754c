import Foundation
import LMModelFiles
import LMSettings
import LMModels
import Testing
@testable import LMTraining

/// NT-ASGD: the running average against a plain reference (PyTorch ASGD, t0 = 0, lambd = 0),
/// and AWD-LSTM's non-monotone trigger.
@Suite struct WeightAverageTests {
    @Test func averageIsPyTorchsASGDMean() {
        let p = TrainingFixtures.parameter([1, -2, 0.5])
        var sgd = SGD(learningRate: 0.1), average = WeightAverage()
        var iterates: [[Double]] = []
        let gradients: [[Float]] = [[0.3, -0.1, 0.2], [0.1, 0.4, -0.5], [-0.2, 0.2, 0.1], [0.5, 0.0, 0.3], [0.05, -0.3, 0.2]]
        // Two plain updates, then averaging.
        for (index, gradient) in gradients.enumerated() {
            if index == 2 { average.start() }
            try! p.gradient.assign(gradient)
            sgd.step([p])
            average.accumulate([p])
            if index >= 2 { iterates.append(p.value.array.map(Double.init)) }
        }
        #expect(average.updates == 3)
        let raw = p.value.array
        // PyTorch: μ = 1 / max(1, n − 1), so the mean of the iterates after updates 2…n.
        let expected = (0..<3).map { i in (iterates[1][i] + iterates[2][i]) / 2 }
        let seen = average.withAverage(in: [p]) { p.value.array }
        for i in 0..<3 { #expect(abs(Double(seen[i]) - expected[i]) < 1e-6) }
        #expect(p.value.array == raw, "the raw weights come back exactly")
        // The update itself is SGD's.
        var plain = SGD(learningRate: 0.1)
        let q = TrainingFixtures.parameter([1, -2, 0.5])
        for gradient in gradients { try! q.gradient.assign(gradient); plain.step([q]) }
        #expect(q.value.array == raw)
    }

    @Test func averageSurvivesItsOwnStateRoundTrip() throws {
        let p = TrainingFixtures.parameter([1, -2])
        var sgd = SGD(learningRate: 0.1), average = WeightAverage()
        average.start()
        for g: [Float] in [[0.3, -0.1], [0.1, 0.4], [0.2, 0.2]] { try p.gradient.assign(g); sgd.step([p]); average.accumulate([p]) }
        var restored = WeightAverage()
        let tensors = Dictionary(uniqueKeysWithValues: average.stateTensors(for: [p]).map { ($0.name, $0) })
        try restored.restore(tensors: tensors, isAveraging: average.isAveraging, updates: average.updates, parameters: [p])
        #expect(restored.isAveraging && restored.updates == 3)
        #expect(restored.withAverage(in: [p]) { p.value.array } == average.withAverage(in: [p]) { p.value.array })
        #expect(throws: TrainingError.self) {
            try WeightAverage().restoring(updates: average.updates, parameter: p)
        }
    }

    @Test func triggerIsAWDLSTMsCondition() {
        // nonmono 2: at epoch e, compare with the best of epochs 1…e−3.
        var state = AveragingState()
        for metric in [100.0, 90, 95] {
            #expect(!state.triggers(metric: metric, nonmonotone: 2))
            state.history.append(metric)
        }
        // history [100, 90, 95]: best of all but the last 2 is 100.
        #expect(!state.triggers(metric: 99, nonmonotone: 2))
        #expect(!state.triggers(metric: 100, nonmonotone: 2), "not worse: equal")
        #expect(state.triggers(metric: 100.5, nonmonotone: 2))
        state.history.append(92)   // [100, 90, 95, 92]: best of the first two is 90
        #expect(state.triggers(metric: 91, nonmonotone: 2))
        state.triggerEpoch = 5
        #expect(!state.triggers(metric: 1000, nonmonotone: 2), "fires once")
    }
}

extension WeightAverage {
    /// Restores a count of averaged updates without the average tensors.
    func restoring(updates: Int, parameter: Parameter<Float>) throws {
        var copy = self
        try copy.restore(tensors: [:], isAveraging: true, updates: updates, parameters: [parameter])
    }
}
