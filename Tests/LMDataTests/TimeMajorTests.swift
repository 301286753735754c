import Testing
@testable import LMData

@Suite struct TimeMajorTests {
    /// Two rows of 3 steps, 2 values per step: step t of row b lands at t·rows + b.
    @Test func gatherTransposesRowsIntoSteps() {
        let source: [Float] = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]
        var out: [Float] = []
        TimeMajor.gather(rows: 2, steps: 3, width: 2, from: source, rowStart: { [1, 0][$0] * 6 }, into: &out)
        #expect(out == [10, 11, 0, 1, 12, 13, 2, 3, 14, 15, 4, 5])
        // An offset window of 2 steps, written in place into an array of the right size.
        var window: [Float] = [9, 9, 9, 9, 9, 9, 9, 9]
        TimeMajor.gather(rows: 2, steps: 2, width: 2, from: source, rowStart: { $0 * 6 + 2 }, into: &window)
        #expect(window == [2, 3, 12, 13, 4, 5, 14, 15])
        TimeMajor.gather(rows: 0, steps: 2, from: source, rowStart: { $0 }, into: &window)
        #expect(window.isEmpty)
    }

    @Test func batchIsReadTimeMajor() throws {
        var sampler = try SequentialSampler(stream: positionStream(length: 40), batchSize: 3, steps: 4,
                                            generator: RandomGenerator(seed: 1))
        var batch = Batch()
        let filled = sampler.next(into: &batch)
        #expect(filled)
        var x: [Int32] = [], y: [Int32] = []
        batch.timeMajor(inputs: &x, targets: &y)
        for t in 0..<4 {
            for b in 0..<3 {
                #expect(x[t * 3 + b] == batch.input(row: b, step: t))
                #expect(y[t * 3 + b] == batch.target(row: b, step: t))
            }
        }
    }
}
