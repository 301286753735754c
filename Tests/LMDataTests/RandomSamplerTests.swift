import Foundation
import Testing
@testable import LMData

@Suite struct RandomSamplerTests {
    private func configuration(_ g: inout RandomGenerator) -> (n: Int, batch: Int, steps: Int) {
        let batch = 1 + g.next(below: 8), steps = 1 + g.next(below: 12)
        let n = (batch + 1) * steps + g.next(below: 400)
        return (n, batch, steps)
    }

    @Test(arguments: propertySeeds)
    func everySubsequenceIsVisitedAtMostOnceWithoutOverlap(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        var sampler = try RandomSampler(stream: positionStream(length: n), batchSize: batch, steps: steps,
                                        generator: g.fork())
        var b = Batch()
        for epoch in 0..<3 {
            let offset = sampler.offset
            #expect((0..<steps).contains(offset))
            // d2l: num_subseqs = (len − offset − 1) // steps; num_batches = num_subseqs // batch.
            let m = (n - offset - 1) / steps
            #expect(sampler.subsequenceCount == m)
            #expect(sampler.batchesPerEpoch == m / batch)
            #expect(sampler.batchesPerEpoch == RandomSampler.batchCount(tokens: n, batchSize: batch, steps: steps, offset: offset))
            var starts: [Int] = []
            while sampler.next(into: &b) {
                for r in 0..<batch {
                    let x = (0..<steps).map { Int(b.input(row: r, step: $0)) }
                    let y = (0..<steps).map { Int(b.target(row: r, step: $0)) }
                    // With ids = positions: a window of consecutive positions, Y shifted by one.
                    #expect(x == Array(x[0]..<(x[0] + steps)))
                    #expect(y == x.map { $0 + 1 })
                    starts.append(x[0])
                }
            }
            #expect(sampler.epoch == epoch + 1)
            // Each start is one of d2l's subsequence starts, used once; the windows do not overlap.
            let valid = Set(stride(from: offset, to: offset + m * steps, by: steps))
            #expect(starts.count == (m / batch) * batch)
            #expect(Set(starts).count == starts.count)
            #expect(Set(starts).isSubset(of: valid))
            let sorted = starts.sorted()
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $1 - $0 >= steps })
            if m % batch == 0 { #expect(Set(starts) == valid) }
        }
    }

    @Test func exactlyEverySubsequenceWhenTheyDivideIntoBatches() throws {
        // 4 × 5 × 10 + 1 tokens at offset 0: 40 subsequences, 10 batches of 4, all visited.
        var sampler = try RandomSampler(stream: positionStream(length: 201), batchSize: 4, steps: 5, offset: 0,
                                        generator: RandomGenerator(seed: 2))
        var b = Batch()
        var counts = [Int: Int]()
        for _ in 0..<5 {
            var epochStarts: [Int] = []
            while sampler.next(into: &b) { epochStarts += (0..<4).map { Int(b.input(row: $0, step: 0)) } }
            #expect(epochStarts.sorted() == Array(stride(from: 0, to: 200, by: 5)))
            for s in epochStarts { counts[s, default: 0] += 1 }
        }
        #expect(counts.values.allSatisfy { $0 == 5 })
    }

    @Test func offsetsCoverZeroThroughStepsMinusOneAndOrdersChange() throws {
        var sampler = try RandomSampler(stream: positionStream(length: 300), batchSize: 3, steps: 4,
                                        generator: RandomGenerator(seed: 5))
        var offsets = Set<Int>(), orders = Set<[Int]>()
        var b = Batch()
        for _ in 0..<200 {
            offsets.insert(sampler.offset)
            var order: [Int] = []
            while sampler.next(into: &b) { order.append(Int(b.input(row: 0, step: 0))) }
            orders.insert(order)
        }
        #expect(offsets == Set(0...3))
        #expect(orders.count > 190)
    }

    @Test(arguments: propertySeeds)
    func sameSeedGivesSameBatches(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        let (stream, _) = try randomStream(length: n, vocabularySize: 50, generator: &g)
        var a = try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed))
        var b = try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed))
        #expect(take(60, from: &a) == take(60, from: &b))
    }

    @Test(arguments: propertySeeds)
    func restoringMidEpochContinuesIdentically(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let (n, batch, steps) = configuration(&g)
        let (stream, _) = try randomStream(length: n, vocabularySize: 50, generator: &g)
        let fixedOffset = g.next(below: 2) == 0 ? g.next(below: steps) : nil
        func make(_ s: UInt64) throws -> RandomSampler {
            if let fixedOffset {
                return try RandomSampler(stream: stream, batchSize: batch, steps: steps, offset: fixedOffset,
                                         generator: RandomGenerator(seed: s))
            }
            return try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: s))
        }
        var original = try make(seed)
        _ = take(g.next(below: 40), from: &original)
        let saved = try jsonRoundTrip(original.state)
        var resumed = try make(seed &+ 1000)
        try resumed.restore(saved)
        #expect(resumed.state == original.state)
        #expect(take(50, from: &resumed) == take(50, from: &original))
    }

    @Test func tooShortCorpusAndBadOffsetsAreReported() throws {
        // batch 4 × 5 steps with offsets up to 4 needs 4·5 + 4 + 1 = 25 tokens.
        let stream = try positionStream(length: 24)
        #expect(throws: SamplerError.self) {
            try RandomSampler(stream: stream, batchSize: 4, steps: 5, generator: RandomGenerator(seed: 1))
        }
        #expect(try RandomSampler(stream: positionStream(length: 25), batchSize: 4, steps: 5,
                                  generator: RandomGenerator(seed: 1)).batchesPerEpoch >= 1)
        #expect(throws: SamplerError.invalidOffset(offset: 5, allowed: 0...4)) {
            try RandomSampler(stream: stream, batchSize: 1, steps: 5, offset: 5, generator: RandomGenerator(seed: 1))
        }
        let a = try RandomSampler(stream: stream, batchSize: 1, steps: 5, offset: 1, generator: RandomGenerator(seed: 1))
        var b = try RandomSampler(stream: stream, batchSize: 1, steps: 5, generator: RandomGenerator(seed: 1))
        #expect(throws: SamplerError.self) { try b.restore(a.state) }
    }
}
