import Testing
@testable import LMGeneration

/// The convention every ``LogitSampler`` shares: a masked (-infinity) logit is never chosen,
/// whatever the temperature or α, down to subnormal temperatures and up to the largest doubles.
@Suite struct LogitSamplerTests {
    /// Scales at the edges of `Double`: 1/T overflows to +infinity for subnormal T, α·(z − lse)
    /// overflows for α near the largest double, 1/T underflows for huge T.
    static let extremes: [Double] = [1e-320, 5e-324, 1e-308, 1e-300, 1e-30, 1e30, 1e300, 1e308, .greatestFiniteMagnitude]

    /// Every strategy, with `value` as its temperature or α.
    static func options(_ value: Double) -> [SamplingOptions] {
        [
            SamplingOptions(temperature: value),
            SamplingOptions(alpha: value),
            SamplingOptions(temperature: value, topK: 3),
            SamplingOptions(alpha: value, topK: 3),
            SamplingOptions(temperature: value, topP: 0.9),
            SamplingOptions(alpha: value, topP: 0.5),
            SamplingOptions(temperature: value, topK: 4, topP: 0.99),
        ]
    }

    /// Logits with id 0 masked as `<unk>` is: distinct values, a tie at the top, all equal,
    /// one survivor, and the largest and smallest floats.
    static let rows: [[Float]] = [
        [-.infinity, 2, 1, 0.5, -3, 7, 7 - 1e-6],
        [-.infinity, 5, 5, -1, 5],
        [-.infinity, 0, 0, 0, 0],
        [-.infinity, -.infinity, 3, -.infinity],
        [-.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0],
        [-.infinity, -1e30, -1e30 + 1e24, -2e30],
    ]

    @Test(arguments: extremes)
    func aMaskedTokenIsNeverDrawn(value: Double) throws {
        for options in Self.options(value) {
            // Refusing a value is allowed (1/α must be a finite temperature before a cut); drawing a masked token is not.
            guard var sampler = try? options.sampler() else { continue }
            for (r, row) in Self.rows.enumerated() {
                var rng = SplitMix64(seed: UInt64(r))
                for _ in 0..<200 {
                    let id = row.withUnsafeBufferPointer { sampler.sample($0, using: &rng) }
                    #expect(row[id] != -.infinity, "\(options) drew masked id \(id) from row \(r)")
                }
                let p = sampler.distribution(row)
                #expect(p.allSatisfy { $0.isFinite && $0 >= 0 }, "\(options) row \(r): \(p)")
                #expect(abs(p.reduce(0, +) - 1) < 1e-9, "\(options) row \(r): \(p)")
                for i in row.indices where row[i] == -.infinity { #expect(p[i] == 0) }
            }
        }
    }

    /// At the extremes the limits hold: T → 0 and α → ∞ are greedy, T → ∞ and α → 0 uniform
    /// over the unmasked tokens.
    @Test func extremesReachTheirLimits() throws {
        let row: [Float] = [-.infinity, 2, 1, 3, 0]
        var cold = try Temperature(1e-320)
        #expect(cold.distribution(row) == [0, 0, 0, 1, 0])
        var sharp = try AlphaSharpening(alpha: 1e308)
        #expect(sharp.distribution(row) == [0, 0, 0, 1, 0])
        var hot = try Temperature(.greatestFiniteMagnitude)
        for (x, y) in zip(hot.distribution(row), [0, 0.25, 0.25, 0.25, 0.25]) { #expect(abs(x - y) < 1e-12) }
        var flat = try AlphaSharpening(alpha: 5e-324)
        for (x, y) in zip(flat.distribution(row), [0, 0.25, 0.25, 0.25, 0.25]) { #expect(abs(x - y) < 1e-12) }
    }
}
