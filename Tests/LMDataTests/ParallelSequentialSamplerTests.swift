import Foundation
import Testing
@testable import LMData

/// Chainer's `ParallelSequentialIterator`, one call at a time, as an independent reference.
struct ChainerIterator {
    let dataset: [Int], batchSize: Int, repeats: Bool
    var epoch = 0, iteration = 0, isNewEpoch = false
    var offsets: [Int] { (0..<batchSize).map { $0 * dataset.count / batchSize } }

    /// One `__next__`: (current, next) pairs per row, or nil for StopIteration.
    mutating func next() -> [(Int, Int)]? {
        let length = dataset.count
        if !repeats && iteration * batchSize >= length { return nil }
        let current = offsets.map { dataset[($0 + iteration) % length] }
        iteration += 1
        let following = offsets.map { dataset[($0 + iteration) % length] }
        let e = iteration * batchSize / length
        isNewEpoch = epoch < e
        if isNewEpoch { epoch = e }
        return Array(zip(current, following))
    }

    var epochDetail: Double { Double(iteration * batchSize) / Double(dataset.count) }
}

@Suite struct ParallelSequentialSamplerTests {
    @Test(arguments: propertySeeds)
    func batchesAreConsecutiveChainerCalls(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 10), steps = 1 + g.next(below: 8)
        let n = max(2, batch) + g.next(below: 200)
        let repeats = g.next(below: 2) == 0
        let (stream, ids) = try randomStream(length: n, vocabularySize: 40, generator: &g)
        var sampler = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps, repeats: repeats)
        var chainer = ChainerIterator(dataset: ids, batchSize: batch, repeats: repeats)
        var b = Batch()
        for _ in 0..<(3 * n / (batch * steps) + 3) {
            let produced = sampler.next(into: &b)
            var calls: [[(Int, Int)]] = []
            var sawNewEpoch = false
            for _ in 0..<steps {
                guard let pairs = chainer.next() else { break }
                calls.append(pairs)
                sawNewEpoch = sawNewEpoch || chainer.isNewEpoch
            }
            #expect(produced == !calls.isEmpty)
            guard produced else { break }
            #expect(b.filledSteps == calls.count)
            for r in 0..<batch {
                for t in 0..<calls.count {
                    #expect(Int(b.input(row: r, step: t)) == calls[t][r].0)
                    #expect(Int(b.target(row: r, step: t)) == calls[t][r].1)
                }
            }
            #expect(sampler.iteration == chainer.iteration)
            #expect(sampler.epoch == chainer.epoch)
            #expect(sampler.isNewEpoch == sawNewEpoch)
            #expect(sampler.epochDetail == chainer.epochDetail)
        }
        #expect(sampler.offsets == chainer.offsets)
    }

    @Test(arguments: propertySeeds)
    func offsetsAreEquallySpaced(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 30)
        let n = batch + g.next(below: 5000)
        let sampler = try ParallelSequentialSampler(stream: positionStream(length: n), batchSize: batch)
        let offsets = sampler.offsets
        #expect(offsets.count == batch && offsets[0] == 0)
        for i in 0..<batch { #expect(offsets[i] == i * n / batch) }
        // Gaps (including the wrap from the last row back to the first) are ⌊n/b⌋ or ⌈n/b⌉.
        let gaps = zip(offsets, offsets.dropFirst() + [n]).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 == n / batch || $0 == (n + batch - 1) / batch })
        #expect(gaps.reduce(0, +) == n)
    }

    @Test(arguments: propertySeeds)
    func epochDetailAdvancesByBatchOverLengthPerCall(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 10), steps = 1 + g.next(below: 5)
        let n = batch + 1 + g.next(below: 300)
        var sampler = try ParallelSequentialSampler(stream: positionStream(length: n), batchSize: batch, steps: steps)
        var b = Batch()
        var previous = sampler.epochDetail
        #expect(previous == 0)
        for _ in 0..<100 {
            do { let produced = sampler.next(into: &b); #expect(produced) }
            let detail = sampler.epochDetail
            #expect(abs(detail - previous - Double(steps * batch) / Double(n)) < 1e-9)
            #expect(sampler.epoch == sampler.iteration * batch / n)
            // Rows walk the stream with wrap-around: with ids = positions, targets are (input + 1) mod n.
            for r in 0..<batch {
                for t in 0..<steps {
                    #expect(Int(b.target(row: r, step: t)) == (Int(b.input(row: r, step: t)) + 1) % n)
                }
            }
            previous = detail
        }
    }

    @Test func nonRepeatingPassStopsAfterEveryTokenIsVisitedAndResets() throws {
        // 10 tokens, batch 3: calls while iteration·3 < 10 → 4 calls; steps 3 → batches of 3 then 1.
        var sampler = try ParallelSequentialSampler(stream: positionStream(length: 10), batchSize: 3, steps: 3, repeats: false)
        var b = Batch()
        #expect(sampler.callsPerPass == 4 && sampler.batchesPerEpoch == 2)
        do { let produced = sampler.next(into: &b); #expect(produced && b.filledSteps == 3) }
        #expect(BatchSnapshot(b).x == [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        do { let produced = sampler.next(into: &b); #expect(produced && b.filledSteps == 1) }
        #expect(BatchSnapshot(b).x == [[3], [6], [9]])
        #expect(BatchSnapshot(b).y == [[4], [7], [0]])
        #expect(sampler.epoch == 1 && sampler.isNewEpoch)
        do { let produced = sampler.next(into: &b); #expect(!produced) }
        do { let produced = sampler.next(into: &b); #expect(!produced) }
        sampler.reset()
        do { let produced = sampler.next(into: &b); #expect(produced && BatchSnapshot(b).x == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]) }
    }

    @Test(arguments: propertySeeds)
    func restoringMidEpochContinuesIdentically(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 10), steps = 1 + g.next(below: 8)
        let n = max(2, batch) + g.next(below: 300)
        let (stream, _) = try randomStream(length: n, vocabularySize: 40, generator: &g)
        let repeats = g.next(below: 3) != 0
        var original = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps, repeats: repeats)
        _ = take(g.next(below: 60), from: &original)
        let saved = try jsonRoundTrip(original.state)
        var resumed = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps, repeats: repeats)
        try resumed.restore(saved)
        #expect(resumed.state == original.state)
        #expect(resumed.epochDetail == original.epochDetail)
        #expect(take(50, from: &resumed) == take(50, from: &original))
        var wrongShape = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps + 1)
        #expect(throws: SamplerError.self) { try wrongShape.restore(saved) }
    }

    @Test func tooShortStreamIsReported() throws {
        #expect(throws: SamplerError.self) {
            try ParallelSequentialSampler(stream: positionStream(length: 5), batchSize: 8)
        }
        #expect(throws: SamplerError.self) {
            try ParallelSequentialSampler(stream: positionStream(length: 1), batchSize: 1)
        }
        #expect(try ParallelSequentialSampler(stream: positionStream(length: 8), batchSize: 8).offsets == Array(0..<8))
    }
}
