import Foundation
import Testing
@testable import LMData

/// d2l's `seq_data_iter_sequential` for a given offset, written out literally (slice, reshape,
/// windows) as an independent reference.
func d2lSequential(_ corpus: [Int], batchSize: Int, steps: Int, offset: Int) -> [(x: [[Int]], y: [[Int]])] {
    let numTokens = ((corpus.count - offset - 1) / batchSize) * batchSize
    guard numTokens > 0 else { return [] }
    let xs = Array(corpus[offset..<(offset + numTokens)]), ys = Array(corpus[(offset + 1)..<(offset + numTokens + 1)])
    let columns = numTokens / batchSize
    let xRows = (0..<batchSize).map { Array(xs[($0 * columns)..<(($0 + 1) * columns)]) }
    let yRows = (0..<batchSize).map { Array(ys[($0 * columns)..<(($0 + 1) * columns)]) }
    return stride(from: 0, to: steps * (columns / steps), by: steps).map { i in
        (xRows.map { Array($0[i..<(i + steps)]) }, yRows.map { Array($0[i..<(i + steps)]) })
    }
}

@Suite struct SequentialSamplerTests {
    @Test func matchesTheReferenceExampleOnRange35() throws {
        // REFERENCE.md: on range(35), batch 2, steps 5 → X = [[0..4],[17..21]], then [[5..9],[22..26]].
        var sampler = try SequentialSampler(stream: positionStream(length: 35), batchSize: 2, steps: 5, offset: 0)
        let batches = take(4, from: &sampler)
        #expect(batches[0]?.x == [[0, 1, 2, 3, 4], [17, 18, 19, 20, 21]])
        #expect(batches[0]?.y == [[1, 2, 3, 4, 5], [18, 19, 20, 21, 22]])
        #expect(batches[1]?.x == [[5, 6, 7, 8, 9], [22, 23, 24, 25, 26]])
        #expect(batches[2]?.x == [[10, 11, 12, 13, 14], [27, 28, 29, 30, 31]])
        #expect(batches[3] == nil) // 17 / 5 = 3 batches, then the epoch ends
        #expect(sampler.epoch == 1 && sampler.isNewEpoch)
    }

    /// A random configuration that fits: stream length, batch size, steps.
    private func configuration(_ g: inout RandomGenerator) -> (n: Int, batch: Int, steps: Int) {
        let batch = 1 + g.next(below: 8), steps = 1 + g.next(below: 12)
        let n = batch * steps + steps + 1 + g.next(below: 400)
        return (n, batch, steps)
    }

    @Test(arguments: propertySeeds)
    func everyBatchIsD2LsForTheSameOffset(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        let (stream, ids) = try randomStream(length: n, vocabularySize: 1 + g.next(below: 300), generator: &g)
        var sampler = try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: g.fork())
        var b = Batch()
        for epoch in 0..<3 {
            let offset = sampler.offset
            #expect((0...steps).contains(offset))
            let reference = d2lSequential(ids, batchSize: batch, steps: steps, offset: offset)
            #expect(sampler.batchesPerEpoch == reference.count)
            #expect(sampler.batchesPerEpoch == SequentialSampler.batchCount(tokens: n, batchSize: batch, steps: steps, offset: offset))
            for k in 0..<reference.count {
                do { let produced = sampler.next(into: &b); #expect(produced) }
                let snapshot = BatchSnapshot(b)
                #expect(snapshot.x.map { $0.map(Int.init) } == reference[k].x)
                #expect(snapshot.y.map { $0.map(Int.init) } == reference[k].y)
            }
            do { let produced = sampler.next(into: &b); #expect(!produced) }
            #expect(sampler.epoch == epoch + 1)
        }
    }

    @Test(arguments: propertySeeds)
    func rowsContinueAcrossBatchesAndTargetsAreShiftedInputs(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        var sampler = try SequentialSampler(stream: positionStream(length: n), batchSize: batch, steps: steps,
                                            generator: g.fork())
        var b = Batch()
        var previous: BatchSnapshot?
        while sampler.next(into: &b) {
            let now = BatchSnapshot(b)
            for r in 0..<batch {
                // Y is X shifted by one: with ids = positions, every target is its input + 1.
                #expect(zip(now.x[r], now.y[r]).allSatisfy { $1 == $0 + 1 })
                #expect(zip(now.x[r], now.x[r].dropFirst()).allSatisfy { $1 == $0 + 1 })
                // Row r of this batch continues row r of the previous one.
                if let previous { #expect(now.x[r][0] == previous.x[r][steps - 1] + 1) }
            }
            previous = now
        }
    }

    @Test func offsetsCoverZeroThroughStepsInclusive() throws {
        var sampler = try SequentialSampler(stream: positionStream(length: 200), batchSize: 2, steps: 4,
                                            generator: RandomGenerator(seed: 1))
        var seen = Set<Int>()
        var b = Batch()
        for _ in 0..<400 {
            seen.insert(sampler.offset)
            while sampler.next(into: &b) {}
        }
        #expect(seen == Set(0...4))
    }

    @Test(arguments: propertySeeds)
    func sameSeedGivesSameBatches(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        let (stream, _) = try randomStream(length: n, vocabularySize: 50, generator: &g)
        var a = try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed))
        var b = try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed))
        #expect(take(60, from: &a) == take(60, from: &b))
    }

    @Test(arguments: propertySeeds)
    func restoringMidEpochContinuesIdentically(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        let (stream, _) = try randomStream(length: n, vocabularySize: 50, generator: &g)
        let fixed = g.next(below: 2) == 0
        func make(_ s: UInt64) throws -> SequentialSampler {
            fixed ? try SequentialSampler(stream: stream, batchSize: batch, steps: steps, offset: Int(seed) % (steps + 1))
                : try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: s))
        }
        var original = try make(seed)
        _ = take(g.next(below: 40), from: &original)
        let saved = try jsonRoundTrip(original.state)
        var resumed = try make(seed &+ 1000) // a different generator: the state must override it
        try resumed.restore(saved)
        #expect(resumed.state == original.state)
        #expect(take(50, from: &resumed) == take(50, from: &original))
    }

    @Test func restoreRejectsAnotherConfiguration() throws {
        let stream = try positionStream(length: 500)
        let a = try SequentialSampler(stream: stream, batchSize: 4, steps: 5, generator: RandomGenerator(seed: 1))
        var other = try SequentialSampler(stream: stream, batchSize: 4, steps: 6, generator: RandomGenerator(seed: 1))
        #expect(throws: SamplerError.self) { try other.restore(a.state) }
        var fixed = try SequentialSampler(stream: stream, batchSize: 4, steps: 5, offset: 2)
        #expect(throws: SamplerError.self) { try fixed.restore(a.state) }
    }

    @Test func tooShortCorpusSaysWhatWouldFit() throws {
        // batch 4 × 5 steps with offsets up to 5 needs 4·5 + 5 + 1 = 26 tokens.
        let stream = try positionStream(length: 25)
        #expect(throws: SamplerError.self) {
            try SequentialSampler(stream: stream, batchSize: 4, steps: 5, generator: RandomGenerator(seed: 1))
        }
        do {
            _ = try SequentialSampler(stream: stream, batchSize: 4, steps: 5, generator: RandomGenerator(seed: 1))
        } catch let error as SamplerError {
            guard case .corpusTooShort(_, let tokens, _, _, let required, let maxBatch, let maxSteps) = error else {
                Issue.record("unexpected \(error)"); return
            }
            #expect(tokens == 25 && required == 26)
            // Largest fits: batch 3 with 5 steps ((25−5−1)/3 = 6 ≥ 5); 4 steps with batch 4 ((25−4−1)/4 = 5 ≥ 4).
            #expect(maxBatch == 3 && maxSteps == 4)
            #expect(error.description.contains("at least 26 tokens"))
            #expect(error.description.contains("batch size 3"))
        }
        // With offset 0 the same stream fits.
        #expect(try SequentialSampler(stream: stream, batchSize: 4, steps: 5, offset: 0).batchesPerEpoch == 1)
        #expect(throws: SamplerError.invalidOffset(offset: 6, allowed: 0...5)) {
            try SequentialSampler(stream: stream, batchSize: 1, steps: 5, offset: 6)
        }
        #expect(throws: SamplerError.invalidShape(batchSize: 0, steps: 5)) {
            try SequentialSampler(stream: stream, batchSize: 0, steps: 5, offset: 0)
        }
    }
}
