import Testing
import Numerics
@testable import LMTensor

@Suite struct ActivationsTests {
    /// Inputs covering the polynomial/exp switch of tanh, saturation and a ragged tail.
    static let inputs: [Double] = {
        var rng = SplitMix64(seed: 7)
        return randomArray(1000, in: -12...12, &rng) + randomArray(203, in: -0.7...0.7, &rng) + [0, -0.625, 0.625, 100, -100, 1e-8]
    }()

    func apply(_ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ x: [Double]) -> [Double] {
        let xf = x.map(Float.init)
        var y = [Float](repeating: .nan, count: x.count)
        xf.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { f(xp.baseAddress!, $0.baseAddress!, x.count) } }
        return y.map(Double.init)
    }

    @Test func floatTanhMatchesReference() {
        let y = apply({ Activations.tanh($0, $1, count: $2) }, Self.inputs)
        let r = Reference.tanh(Self.inputs.map { Double(Float($0)) })
        for (a, b) in zip(y, r) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6)) }
    }

    @Test func floatSigmoidMatchesReference() {
        let y = apply({ Activations.sigmoid($0, $1, count: $2) }, Self.inputs)
        let r = Reference.sigmoid(Self.inputs.map { Double(Float($0)) })
        for (a, b) in zip(y, r) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6)) }
    }

    /// A NaN stays NaN through the 16-lane clamps of tanh and sigmoid (so a diverged run
    /// shows a NaN loss instead of saturated gates), in the SIMD body and in the tail.
    @Test func floatTanhAndSigmoidKeepNaN() {
        var x = [Double](repeating: 0.5, count: 37)
        x[3] = .nan
        x[35] = .nan
        for f in [{ Activations.tanh($0, $1, count: $2) }, { Activations.sigmoid($0, $1, count: $2) }] as [(UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void] {
            let y = apply(f, x)
            #expect(y[3].isNaN && y[35].isNaN)
            #expect(y.enumerated().allSatisfy { $0.offset == 3 || $0.offset == 35 || $0.element.isFinite })
        }
    }

    @Test func reluMatchesReference() {
        let y = apply({ Activations.relu($0, $1, count: $2) }, Self.inputs)
        let r = Reference.relu(Self.inputs.map { Double(Float($0)) })
        #expect(y == r)
    }

    @Test func doubleKernelsMatchReference() {
        let x = Self.inputs
        var y = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { Activations.tanh(xp.baseAddress!, $0.baseAddress!, count: x.count) } }
        for (a, b) in zip(y, Reference.tanh(x)) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-14)) }
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { Activations.sigmoid(xp.baseAddress!, $0.baseAddress!, count: x.count) } }
        for (a, b) in zip(y, Reference.sigmoid(x)) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-14)) }
    }

    @Test func derivativesFromOutputs() {
        let x = Array(Self.inputs.prefix(300))
        func backward(_ f: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void, _ y: [Double]) -> [Double] {
            var g = [Double](repeating: 1, count: y.count)
            y.withUnsafeBufferPointer { yp in g.withUnsafeMutableBufferPointer { f(yp.baseAddress!, $0.baseAddress!, y.count) } }
            return g
        }
        let dt = backward({ Activations.tanhBackward(output: $0, gradient: $1, count: $2) }, Reference.tanh(x))
        for (a, b) in zip(dt, Reference.tanhDerivative(x)) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-12)) }
        let ds = backward({ Activations.sigmoidBackward(output: $0, gradient: $1, count: $2) }, Reference.sigmoid(x))
        for (a, b) in zip(ds, Reference.sigmoidDerivative(x)) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-12)) }
        let dr = backward({ Activations.reluBackward(output: $0, gradient: $1, count: $2) }, Reference.relu(x))
        #expect(dr == Reference.reluDerivative(x))
    }
}
