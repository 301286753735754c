import Testing
@testable import LMGeneration

@Suite struct TopKTests {
    /// The k best ids of `z` (larger logit first, lower id on ties).
    func best(_ z: [Float], _ k: Int) -> [Int] {
        Array(z.indices.sorted { z[$0] > z[$1] || (z[$0] == z[$1] && $0 < $1) }.prefix(k))
    }

    @Test(arguments: [(1, 1.0), (3, 1.0), (3, 0.7), (5, 2.0), (10, 1.0), (50, 1.0)])
    func frequenciesMatchTheRenormalizedKBest(k: Int, temperature: Double) throws {
        var sampler = try TopK(k: k, temperature: temperature)
        let kept = best(fixedLogits, k)
        let expected = restricted(softmax(fixedLogits, temperature: temperature), to: kept)
        let observed = counts(&sampler, fixedLogits, draws: statisticalDraws, seed: 31)
        // Never outside the k best.
        for id in fixedLogits.indices where !kept.contains(id) { #expect(observed[id] == 0) }
        let test = chiSquareTest(observed: observed, expected: expected)
        #expect(test.pValue > significance, "χ² = \(test.statistic)")
        for (a, b) in zip(sampler.distribution(fixedLogits), expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test func neverEmitsOutsideTheKBestOnRandomLogits() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let n = Int.random(in: 1...60, using: &rng)
            // Few distinct values, so that ties occur.
            let z = (0..<n).map { _ in Float(Int.random(in: -4...4, using: &rng)) }
            let k = Int.random(in: 1...n + 2, using: &rng)
            var sampler = try TopK(k: k, temperature: Double.random(in: 0.2...3, using: &rng))
            let kept = Set(best(z, k))
            for _ in 0..<50 { #expect(kept.contains(sampler.sample(z, using: &rng))) }
        }
    }

    @Test func oneIsGreedyAndMaskedTokensDoNotCount() throws {
        var one = try TopK(k: 1)
        #expect(counts(&one, fixedLogits, draws: 1000, seed: 1)[6] == 1000)
        var two = try TopK(k: 2)
        var z = fixedLogits
        z[6] = -.infinity   // the best is masked: the next two are 0 (2.0) and 9 (1.5)
        let observed = counts(&two, z, draws: 10_000, seed: 1)
        #expect(observed[0] + observed[9] == 10_000)
        #expect(throws: GenerationError.self) { try TopK(k: 0) }
    }
}
