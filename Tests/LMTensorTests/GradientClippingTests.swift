import Testing
import Numerics
@testable import LMTensor

@Suite struct GradientClippingTests {
    @Test(arguments: [0.5, 1.0, 1000.0])
    func matchesReference(maxNorm: Double) {
        var rng = SplitMix64(seed: 11)
        let parts = [randomArray(5000, in: -0.1...0.1, &rng), randomArray(7, in: -1...1, &rng), randomArray(33, in: -0.5...0.5, &rng)]
        let ref = Reference.clip(parts, maxNorm: maxNorm)
        let buffers = parts.map { p -> Buffer<Float> in let b = Buffer<Float>(count: p.count); try! b.assign(p.map(Float.init)); return b }
        let norm = GradientClipping.clip(buffers.map { $0.buffer }, maxNorm: maxNorm)
        #expect(norm.isApproximatelyEqual(to: ref.norm, relativeTolerance: 1e-5))
        for (b, r) in zip(buffers, ref.clipped) {
            for i in 0..<r.count { #expect(Double(b[i]).isApproximatelyEqual(to: r[i], absoluteTolerance: 1e-6)) }
        }
    }
}
