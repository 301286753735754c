import Foundation
import Testing
@testable import LMGeneration

@Suite struct AlphaSharpeningTests {
    /// q ∝ p^α computed literally: powers of the model's probabilities, renormalized.
    func sharpened(_ z: [Float], alpha: Double) -> [Double] {
        let q = softmax(z).map { Foundation.pow($0, alpha) }
        let s = q.reduce(0, +)
        return q.map { $0 / s }
    }

    @Test(arguments: [0.5, 1.0, 2.0, 4.0])
    func frequenciesMatchPowerOfProbabilities(alpha: Double) throws {
        var sampler = try AlphaSharpening(alpha: alpha)
        let expected = sharpened(fixedLogits, alpha: alpha)
        let observed = counts(&sampler, fixedLogits, draws: statisticalDraws, seed: 21)
        let test = chiSquareTest(observed: observed, expected: expected)
        #expect(test.pValue > significance, "χ² = \(test.statistic)")
        for (a, b) in zip(sampler.distribution(fixedLogits), expected) { #expect(abs(a - b) < 1e-12) }
    }

    /// p^α / Σ p^α = softmax(α z) = softmax(z / T) with T = 1/α: the same distribution, and
    /// with the same seed the same draws.
    @Test(arguments: [(2.0, 0.5), (4.0, 0.25), (0.5, 2.0), (1.0, 1.0)])
    func alphaIsTemperatureOneOverAlpha(alpha: Double, temperature: Double) throws {
        var a = try AlphaSharpening(alpha: alpha)
        var t = try Temperature(temperature)
        #expect(a.equivalentTemperature == temperature)
        var rng = SplitMix64(seed: 4)
        for _ in 0..<200 {
            let z = (0..<30).map { _ in Float.random(in: -8...8, using: &rng) }
            for (x, y) in zip(a.distribution(z), t.distribution(z)) { #expect(abs(x - y) < 1e-12) }
        }
        #expect(counts(&a, fixedLogits, draws: 20_000, seed: 8) == counts(&t, fixedLogits, draws: 20_000, seed: 8))
    }

    @Test func infinityIsGreedyAndZeroIsUniform() throws {
        var sharpest = try AlphaSharpening(alpha: .infinity)
        #expect(counts(&sharpest, fixedLogits, draws: 1000, seed: 2)[6] == 1000)
        var flat = try AlphaSharpening(alpha: 0)
        var z = fixedLogits
        z[3] = -.infinity
        let observed = counts(&flat, z, draws: 45_000, seed: 2)
        #expect(observed[3] == 0)
        let expected = (0..<10).map { $0 == 3 ? 0.0 : 1.0 / 9 }
        #expect(chiSquareTest(observed: observed, expected: expected).pValue > significance)
    }

    @Test func largeAlphaDoesNotOverflow() throws {
        var sampler = try AlphaSharpening(alpha: 1e6)
        let p = sampler.distribution([100, 99.99, -100])
        #expect(p.allSatisfy { $0.isFinite })
        #expect(p[0] == 1)
        #expect(throws: GenerationError.self) { try AlphaSharpening(alpha: -1) }
        #expect(throws: GenerationError.self) { try AlphaSharpening(alpha: .nan) }
    }
}
