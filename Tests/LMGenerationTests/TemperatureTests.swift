import Testing
@testable import LMGeneration

@Suite struct TemperatureTests {
    @Test(arguments: [0.5, 0.7, 1.0, 1.5, 3.0])
    func frequenciesMatchSoftmaxOfScaledLogits(temperature: Double) throws {
        var sampler = try Temperature(temperature)
        let expected = softmax(fixedLogits, temperature: temperature)
        let observed = counts(&sampler, fixedLogits, draws: statisticalDraws, seed: 11)
        let test = chiSquareTest(observed: observed, expected: expected)
        #expect(test.degreesOfFreedom == 9)
        #expect(test.pValue > significance, "χ² = \(test.statistic)")
        #expect(test.statistic < chiSquareCriticalValue(degreesOfFreedom: 9, alpha: significance))
        for (a, b) in zip(sampler.distribution(fixedLogits), expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test func maskedTokensAreNeverDrawn() throws {
        var sampler = try Temperature(2)
        var z = fixedLogits
        z[6] = -.infinity
        z[0] = -.infinity
        let observed = counts(&sampler, z, draws: 20_000, seed: 3)
        #expect(observed[6] == 0 && observed[0] == 0)
        var expected = softmax(fixedLogits.enumerated().map { [0, 6].contains($0.offset) ? -1e30 : $0.element }, temperature: 2)
        expected[0] = 0; expected[6] = 0
        #expect(chiSquareTest(observed: observed, expected: expected).pValue > significance)
    }

    @Test func sameSeedSameDrawsOneUniformPerToken() throws {
        var a = try Temperature(0.9), b = try Temperature(0.9)
        #expect(counts(&a, fixedLogits, draws: 5000, seed: 99) == counts(&b, fixedLogits, draws: 5000, seed: 99))
        var rng = SplitMix64(seed: 5)
        let start = rng.state
        _ = a.sample(fixedLogits, using: &rng)
        var reference = SplitMix64(seed: 5)
        _ = reference.next()
        #expect(rng.state == reference.state && rng.state != start)
    }

    @Test func invalidTemperaturesAreRefused() {
        for t in [0, -1, Double.infinity, Double.nan] {
            #expect(throws: GenerationError.self) { try Temperature(t) }
        }
    }

    @Test func extremeTemperaturesStayFinite() throws {
        var cold = try Temperature(1e-6)
        #expect(counts(&cold, fixedLogits, draws: 1000, seed: 1)[6] == 1000)
        var hot = try Temperature(1e6)
        let observed = counts(&hot, fixedLogits, draws: 50_000, seed: 1)
        #expect(chiSquareTest(observed: observed, expected: [Double](repeating: 0.1, count: 10)).pValue > significance)
    }
}
