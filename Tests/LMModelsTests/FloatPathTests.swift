@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// The `Float` training path (own AVX kernels for the recurrent products, vectorised
/// activations, split products and element-wise passes across threads) against the `Double`
/// path that the gradient checks validate, on the same weights and tokens, at sizes that use
/// full 8 × 32 register tiles (batch 16, hidden 64).
@Suite struct FloatPathTests {
    @Test(arguments: CellRegistry.kinds)
    func floatGradientsMatchDouble(kind: ModelConfig.Kind) throws {
        WorkerPool.shared.elementThreshold = 0
        let config = ModelConfig(kind: kind, vocabularySize: 11, hiddenSize: 64, layers: 2, initialization: .uniform(bound: 0.15))
        var r1 = SplitMix64(seed: 77), r2 = SplitMix64(seed: 77)
        let f = try RecurrentLM<Float>(config: config, using: &r1)
        let d = try RecurrentLM<Double>(config: config, using: &r2)
        for (pf, pd) in zip(f.parameters, d.parameters) {
            for i in 0..<pf.count { pd.value[i] = Double(pf.value[i]) }  // identical weights
        }
        var rng = SplitMix64(seed: 5)
        let (steps, batch) = (6, 16)
        for _ in 0..<2 {  // the second window starts from a carried state
            let x = randomTokens(steps * batch, vocabulary: 11, &rng), y = randomTokens(steps * batch, vocabulary: 11, &rng)
            f.zeroGradients(); d.zeroGradients()
            let lf = try f.forward(inputs: x, targets: y, steps: steps, batch: batch)
            let ld = try d.forward(inputs: x, targets: y, steps: steps, batch: batch)
            #expect(abs(lf - ld) < 1e-5)
            try f.backward(); try d.backward()
            for (pf, pd) in zip(f.parameters, d.parameters) {
                let scale = pd.gradient.array.map(abs).max() ?? 0
                var worst = 0.0
                for i in 0..<pf.count { worst = max(worst, abs(Double(pf.gradient[i]) - pd.gradient[i])) }
                #expect(worst <= 1e-4 * scale + 1e-7, "\(pf.name): worst |ΔG| \(worst), max |G| \(scale)")
            }
        }
    }
}
