import Foundation
import Testing
@testable import LMData

/// Properties every sampler shares, checked through the `Sampler` protocol.
@Suite struct SamplerTests {
    /// The three samplers over one stream, behind the protocol.
    private func samplers(_ stream: TokenStream, batch: Int, steps: Int, seed: UInt64) throws -> [any Sampler] {
        [try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed)),
         try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: RandomGenerator(seed: seed)),
         try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps)]
    }

    private func shiftedByOne<S: Sampler>(_ sampler: inout S, ids: [Int], batches: Int) -> Bool {
        var b = Batch()
        for _ in 0..<batches {
            guard sampler.next(into: &b) else { continue }
            guard b.batchSize == sampler.batchSize, b.steps == sampler.steps else { return false }
            for r in 0..<b.batchSize {
                for t in 0..<(b.filledSteps - 1) where b.target(row: r, step: t) != b.input(row: r, step: t + 1) {
                    return false
                }
                // The last target is the stream token after the last input: find the input window in the stream.
                let window = (0..<b.filledSteps).map { Int(b.input(row: r, step: $0)) }
                let next = Int(b.target(row: r, step: b.filledSteps - 1))
                let found = (0..<ids.count).contains { p in
                    window.indices.allSatisfy { ids[(p + $0) % ids.count] == window[$0] }
                        && ids[(p + window.count) % ids.count] == next
                }
                if !found { return false }
            }
        }
        return true
    }

    @Test(arguments: propertySeeds)
    func targetsAreInputsShiftedByOneForEverySampler(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 5), steps = 1 + g.next(below: 6)
        let (stream, ids) = try randomStream(length: (batch + 1) * (steps + 1) + g.next(below: 150),
                                             vocabularySize: 3 + g.next(below: 20), generator: &g)
        for var sampler in try samplers(stream, batch: batch, steps: steps, seed: seed) {
            func check<S: Sampler>(_ s: inout S) -> Bool { shiftedByOne(&s, ids: ids, batches: 30) }
            let name = "\(type(of: sampler))"
            let ok = check(&sampler)
            #expect(ok, Comment(rawValue: name))
        }
    }

    private func addresses(_ b: inout Batch) -> (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) {
        (b.inputs.withUnsafeMutableBufferPointer { UnsafeMutableRawPointer($0.baseAddress) },
         b.targets.withUnsafeMutableBufferPointer { UnsafeMutableRawPointer($0.baseAddress) })
    }

    @Test func batchBuffersAreReusedAfterTheFirstBatch() throws {
        let stream = try positionStream(length: 5_000)
        for var sampler in try samplers(stream, batch: 8, steps: 7, seed: 3) {
            func run<S: Sampler>(_ s: inout S) -> Bool {
                var b = Batch()
                _ = s.next(into: &b)
                let first = addresses(&b)
                for _ in 0..<500 {
                    _ = s.next(into: &b)
                    let now = addresses(&b)
                    if now.0 != first.0 || now.1 != first.1 { return false }
                }
                return true
            }
            let name = "\(type(of: sampler)) reallocated its batch buffers"
            let ok = run(&sampler)
            #expect(ok, Comment(rawValue: name))
        }
    }

    @Test(arguments: propertySeeds)
    func continuesPreviousBatchExactlyWhenRowsContinue(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let batch = 1 + g.next(below: 5), steps = 1 + g.next(below: 6)
        let n = (batch + 1) * (steps + 1) + g.next(below: 150)
        let stream = try positionStream(length: n)
        for var sampler in try samplers(stream, batch: batch, steps: steps, seed: seed) {
            func run<S: Sampler>(_ s: inout S) -> Bool {
                var b = Batch()
                var previous: BatchSnapshot?
                var sawContinuation = false, sawBreak = false
                for _ in 0..<120 {
                    guard s.next(into: &b) else { previous = nil; continue }
                    let now = BatchSnapshot(b)
                    // With ids = positions, rows continue when each starts right after (mod n) where it ended.
                    let continues = previous.map { p in (0..<batch).allSatisfy { Int(now.x[$0][0]) == (Int(p.x[$0].last!) + 1) % n } } ?? false
                    if s.continuesPreviousBatch && !continues { return false }
                    if S.self == SequentialSampler.self && continues != s.continuesPreviousBatch { return false }
                    if S.self == ParallelSequentialSampler.self && previous != nil && !s.continuesPreviousBatch { return false }
                    sawContinuation = sawContinuation || s.continuesPreviousBatch
                    sawBreak = sawBreak || !s.continuesPreviousBatch
                    previous = now
                }
                return sawBreak && (S.self == RandomSampler.self ? !sawContinuation : sawContinuation)
            }
            let name = "\(type(of: sampler))"
            let ok = run(&sampler)
            #expect(ok, Comment(rawValue: name))
        }
    }

    @Test func randomSamplerRefillsItsOrderInPlaceEachEpoch() throws {
        var sampler = try RandomSampler(stream: positionStream(length: 2_000), batchSize: 4, steps: 9,
                                        generator: RandomGenerator(seed: 12))
        func address(_ s: RandomSampler) -> UnsafeRawPointer? { s.starts.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        let first = address(sampler)
        var b = Batch(), epochs = 0
        while epochs < 20 { if !sampler.next(into: &b) { epochs += 1 } }
        #expect(address(sampler) == first)
    }

    @Test func aBatchOfAnotherShapeIsReshapedOnce() throws {
        var sampler = try SequentialSampler(stream: positionStream(length: 1_000), batchSize: 4, steps: 6, offset: 0)
        var b = Batch(batchSize: 2, steps: 3)
        do { let produced = sampler.next(into: &b); #expect(produced) }
        #expect(b.batchSize == 4 && b.steps == 6 && b.inputs.count == 24 && b.targets.count == 24)
    }

    @Test func epochDetailGrowsMonotonically() throws {
        let stream = try positionStream(length: 700)
        for var sampler in try samplers(stream, batch: 3, steps: 5, seed: 8) {
            func run<S: Sampler>(_ s: inout S) -> Bool {
                var b = Batch()
                var last = s.epochDetail
                for _ in 0..<300 {
                    _ = s.next(into: &b)
                    if s.epochDetail < last { return false }
                    last = s.epochDetail
                }
                return last > 3
            }
            let name = "\(type(of: sampler))"
            let ok = run(&sampler)
            #expect(ok, Comment(rawValue: name))
        }
    }
}
