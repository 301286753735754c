import Foundation
import LMTestSupport
import LMModels
@testable import LMToyTasks
import Testing

/// What a toy task refuses before it builds anything.
@Suite struct ToyTaskSessionTests {
    /// Sizes no machine holds (a hidden size, layers or samples that would overflow or abort
    /// an allocation) are refused at once, naming the setting and its value, and nothing is written.
    @Test(arguments: [(ToyTask.counting, 4_000_000_000, 1, nil, "model.hiddenSize (4000000000)"),
                      (.counting, nil, 1_000_000_000, nil, "model.layers (1000000000)"),
                      (.adding, 4_000_000_000, 1, nil, "model.hiddenSize (4000000000)"),
                      (.adding, nil, 1, 10_000_000_000, "toy.samples (10000000000)"),
                      (.binaryAdd, nil, 1, Int.max, "toy.samples (9223372036854775807)")] as [(ToyTask, Int?, Int, Int?, String)])
    func sizesNoMachineHoldsAreRefusedAtOnce(task: ToyTask, hidden: Int?, layers: Int, samples: Int?, named: String) throws {
        let output = TemporaryFolders.make("lmtoy") + "/run"
        let options = ToyTaskOptions(task: task, hidden: hidden, layers: layers, samples: samples, output: output)
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            try ToyTaskSession.run(options) { _ in }
        } throws: { error in
            "\(error)".contains("of memory but only") && "\(error)".contains(named)
        }
        #expect(clock.now - started < .seconds(5))
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
