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

    /// The 16-lane `Float` sum of squares against a `Double` loop, for lengths that end inside
    /// a 64-element step, a 16-lane step and a 4,096-element block.
    @Test(arguments: [0, 1, 15, 16, 17, 63, 64, 65, 4095, 4096, 4097, 70_001])
    func vectorSumOfSquaresMatchesDoubleLoop(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let x = randomArray(count, in: -2...2, &rng).map(Float.init)
        let expected = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        let sum = x.withUnsafeBufferPointer { FloatKernels.sumOfSquares($0.baseAddress ?? UnsafePointer(bitPattern: 16)!, count) }
        #expect(sum.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-9, relativeTolerance: 1e-6))
    }
}
