import Testing
@testable import LMGeneration

@Suite struct TopPTests {
    /// The nucleus computed independently: ids by descending probability (lower id on ties),
    /// the shortest prefix whose mass reaches p.
    func nucleus(_ probabilities: [Double], _ p: Double) -> [Int] {
        let order = probabilities.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        var kept: [Int] = []
        var mass = 0.0
        for id in order where probabilities[id] > 0 {
            kept.append(id)
            mass += probabilities[id]
            if mass >= p * (1 - 1e-12) { break }
        }
        return kept
    }

    @Test(arguments: [(0.5, 1.0), (0.8, 1.0), (0.9, 0.7), (0.95, 1.5), (1.0, 1.0)])
    func frequenciesMatchTheRenormalizedNucleus(p: Double, temperature: Double) throws {
        var sampler = try TopP(p: p, temperature: temperature)
        let probabilities = softmax(fixedLogits, temperature: temperature)
        let kept = nucleus(probabilities, p)
        let expected = restricted(probabilities, to: kept)
        let observed = counts(&sampler, fixedLogits, draws: statisticalDraws, seed: 41)
        for id in fixedLogits.indices where !kept.contains(id) { #expect(observed[id] == 0) }
        let test = chiSquareTest(observed: observed, expected: expected)
        #expect(test.pValue > significance, "χ² = \(test.statistic)")
        for (a, b) in zip(sampler.distribution(fixedLogits), expected) { #expect(abs(a - b) < 1e-12) }
    }

    /// The kept set has mass ≥ p, and dropping its least likely member brings it below p:
    /// it is the smallest such set.
    @Test func keepsTheSmallestSetWithMassAtLeastP() throws {
        var rng = SplitMix64(seed: 6)
        for _ in 0..<500 {
            let n = Int.random(in: 1...50, using: &rng)
            let z = (0..<n).map { _ in Float.random(in: -4...4, using: &rng) }
            let p = Double.random(in: 0.01...1, using: &rng)
            let temperature = Double.random(in: 0.3...2, using: &rng)
            var sampler = try TopP(p: p, temperature: temperature)
            let q = sampler.distribution(z)
            let probabilities = softmax(z, temperature: temperature)
            let kept = z.indices.filter { q[$0] > 0 }
            let mass = kept.reduce(0) { $0 + probabilities[$1] }
            #expect(mass >= p - 1e-9)
            let smallest = kept.map { probabilities[$0] }.min()!
            #expect(mass - smallest < p + 1e-9)
            // Everything kept is at least as likely as everything dropped.
            let dropped = z.indices.filter { q[$0] == 0 }.map { probabilities[$0] }
            #expect((dropped.max() ?? 0) <= smallest)
            #expect(Set(kept) == Set(nucleus(probabilities, p)))
        }
    }

    /// Scale, then cut: the temperature changes the nucleus; top-k cuts before top-p, whose
    /// mass is then taken over the k best.
    @Test func combinationsScaleThenCut() throws {
        var cold = try TopP(p: 0.9, temperature: 0.5)
        var warm = try TopP(p: 0.9, temperature: 2)
        let coldKept = cold.distribution(fixedLogits).filter { $0 > 0 }.count
        let warmKept = warm.distribution(fixedLogits).filter { $0 > 0 }.count
        #expect(coldKept == nucleus(softmax(fixedLogits, temperature: 0.5), 0.9).count)
        #expect(warmKept == nucleus(softmax(fixedLogits, temperature: 2), 0.9).count)
        #expect(coldKept < warmKept)

        var both = try TopP(p: 0.8, temperature: 1.5, topK: 4)
        let top4 = [6, 0, 9, 1]
        var p4 = softmax(fixedLogits, temperature: 1.5)
        let mass4 = top4.reduce(0) { $0 + p4[$1] }
        p4 = p4.indices.map { top4.contains($0) ? p4[$0] / mass4 : 0 }
        let expected = restricted(p4, to: nucleus(p4, 0.8))
        let observed = counts(&both, fixedLogits, draws: statisticalDraws, seed: 43)
        #expect(chiSquareTest(observed: observed, expected: expected).pValue > significance)
        for (a, b) in zip(both.distribution(fixedLogits), expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test func invalidSettingsAreRefused() {
        for p in [0, -0.1, 1.01, Double.nan] { #expect(throws: GenerationError.self) { try TopP(p: p) } }
        #expect(throws: GenerationError.self) { try TopP(p: 0.5, topK: 0) }
        #expect(throws: GenerationError.self) { try TopP(p: 0.5, temperature: 0) }
    }
}
