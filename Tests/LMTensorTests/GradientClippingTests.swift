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

    /// Buffers over ``GradientClipping/part`` elements are summed and scaled in parts across the
    /// worker pool: the same norm and clipped values as the reference, ragged last part included.
    @Test func largeBuffersSplitIntoPartsMatchReference() {
        var rng = SplitMix64(seed: 12)
        let parts = [randomArray(3 * GradientClipping.part + 17, in: -0.1...0.1, &rng), randomArray(9, in: -1...1, &rng)]
        let ref = Reference.clip(parts, maxNorm: 1)
        let buffers = parts.map { p -> Buffer<Float> in let b = Buffer<Float>(count: p.count); try! b.assign(p.map(Float.init)); return b }
        let norm = GradientClipping.clip(buffers.map { $0.buffer }, maxNorm: 1)
        #expect(ref.norm > 1)
        #expect(norm.isApproximatelyEqual(to: ref.norm, relativeTolerance: 1e-6))
        for (b, r) in zip(buffers, ref.clipped) {
            for i in 0..<r.count { #expect(Double(b[i]).isApproximatelyEqual(to: r[i], absoluteTolerance: 1e-6)) }
        }
    }
}
