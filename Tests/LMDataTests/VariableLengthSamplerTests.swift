import Foundation
@testable import LMData
import Testing

/// AWD-LSTM's variable-length windows: the lengths drawn, the windows cut, the epochs, the
/// rows they walk, and exact restore.
@Suite struct VariableLengthSamplerTests {
    func sampler(tokens: Int = 4_000, batch: Int = 4, base: Int = 70, half: Double = 0.05, spread: Double = 5,
                 seed: UInt64 = 1) throws -> VariableLengthSampler {
        try VariableLengthSampler(stream: try positionStream(length: tokens), batchSize: batch, baseSteps: base,
                                  longestWindow: base + 20, halfProbability: half, spread: spread,
                                  generator: RandomGenerator(seed: seed))
    }

    /// The drawn lengths of one long run: AWD-LSTM's distribution, N(70, 5²) 95 % of the time and
    /// N(35, 5²) otherwise, never below 5.
    @Test func lengthsFollowAWDsDistribution() throws {
        var s = try sampler(tokens: 400_000, batch: 1)
        var batch = Batch()
        var lengths: [Int] = []
        while s.next(into: &batch) { lengths.append(s.drawnLength) }
        #expect(lengths.count > 5_000)
        let short = lengths.filter { $0 < 53 }, long = lengths.filter { $0 >= 53 }
        let shortShare = Double(short.count) / Double(lengths.count)
        #expect(abs(shortShare - 0.05) < 0.01, "half-length share \(shortShare)")
        let mean = Double(long.reduce(0, +)) / Double(long.count)
        // ⌊x⌋ of N(70, 5²) has mean 69.5.
        #expect(abs(mean - 69.5) < 0.25, "mean long length \(mean)")
        let variance = long.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(long.count)
        #expect(abs(variance.squareRoot() - 5) < 0.3, "spread \(variance.squareRoot())")
        let shortMean = Double(short.reduce(0, +)) / Double(short.count)
        #expect(abs(shortMean - 34.5) < 1, "mean short length \(shortMean)")
        #expect(lengths.min()! >= VariableLengthSampler.minimumLength)
    }

    /// The same seed draws the same lengths; another seed, others.
    @Test func aSeedFixesTheLengths() throws {
        func lengths(_ seed: UInt64) throws -> [Int] {
            var s = try sampler(seed: seed)
            var batch = Batch()
            var result: [Int] = []
            while s.next(into: &batch) { result.append(s.drawnLength) }
            return result
        }
        #expect(try lengths(3) == lengths(3))
        #expect(try lengths(3) != lengths(4))
    }

    /// Short means draw the minimum, 5; long draws are cut to the longest window; each window's
    /// columns are the rows' next calls.
    @Test func windowsAreCutToTheLongestAndTheMinimum() throws {
        var low = try sampler(base: 6, half: 1, spread: 0)   // mean 3 every time: length 5
        var batch = Batch()
        let filled = low.next(into: &batch)
        #expect(filled)
        #expect(low.drawnLength == 5 && batch.filledSteps == 5 && batch.steps == 26)
        var high = try sampler(base: 10, half: 0, spread: 1_000)
        var cut = 0
        for _ in 0..<50 where high.next(into: &batch) {
            #expect(batch.filledSteps == min(high.drawnLength, 30) || high.position == high.callsPerEpoch)
            if high.drawnLength > 30 { cut += 1 }
        }
        #expect(cut > 0, "a spread of 1000 must draw lengths past the longest window")
    }

    /// An epoch is AWD-LSTM's loop over one pass: windows while two or more calls are left, the
    /// last one cut to what is left; the rows are walked without a gap across epochs, as the
    /// parallel sampler walks them, and every call of the pass is an input once.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func epochsCoverThePassAndTheRowsContinue(seed: UInt64) throws {
        let tokens = 997, batchSize = 3
        var s = try sampler(tokens: tokens, batch: batchSize, base: 12, half: 0.2, spread: 4, seed: seed)
        var reference = try ParallelSequentialSampler(stream: try positionStream(length: tokens), batchSize: batchSize, steps: 1)
        var batch = Batch(), column = Batch()
        let pass = s.callsPerEpoch
        #expect(pass == (tokens + batchSize - 1) / batchSize)
        for epoch in 0..<3 {
            var calls = 0
            while s.next(into: &batch) {
                #expect(batch.filledSteps >= 1 && batch.filledSteps <= min(s.drawnLength, 32))
                for t in 0..<batch.filledSteps {
                    let stepped = reference.next(into: &column)
                    #expect(stepped)
                    for row in 0..<batchSize {
                        #expect(batch.input(row: row, step: t) == column.input(row: row, step: 0))
                        #expect(batch.target(row: row, step: t) == column.target(row: row, step: 0))
                    }
                }
                calls += batch.filledSteps
            }
            #expect(s.isNewEpoch && s.epoch == epoch + 1)
            // AWD-LSTM stops with fewer than 2 calls left: the pass, or all but its last call.
            #expect(calls == pass || calls == pass - 1)
        }
    }

    /// A sampler restored from a state saved mid-epoch (through JSON, as a checkpoint holds it)
    /// draws the lengths and windows the uninterrupted one does.
    @Test(arguments: [3, 10, 17])
    func restoreContinuesExactly(after windows: Int) throws {
        var straight = try sampler(tokens: 3_000, batch: 2, base: 20, half: 0.3, spread: 6)
        var batch = Batch()
        for _ in 0..<windows { _ = straight.next(into: &batch) }
        let saved = try jsonRoundTrip(straight.state)
        var resumed = try sampler(tokens: 3_000, batch: 2, base: 20, half: 0.3, spread: 6, seed: 99)
        try resumed.restore(saved)
        var other = Batch()
        for _ in 0..<40 {
            let a = straight.next(into: &batch), b = resumed.next(into: &other)
            #expect(a == b && straight.drawnLength == resumed.drawnLength)
            if a { #expect(BatchSnapshot(batch) == BatchSnapshot(other)) }
        }
        var mismatched = try sampler(tokens: 3_000, batch: 2, base: 21, half: 0.3, spread: 6)
        #expect(throws: SamplerError.self) { try mismatched.restore(saved) }
    }

    /// Box–Muller's draws have the normal's mean and deviation.
    @Test func normalDrawsHaveTheirMoments() {
        var g = RandomGenerator(seed: 11)
        let draws = (0..<100_000).map { _ in g.nextNormal(mean: 3, deviation: 2) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let sd = (draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)).squareRoot()
        #expect(abs(mean - 3) < 0.03 && abs(sd - 2) < 0.03)
    }
}
