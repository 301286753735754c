import Testing
import Numerics
@testable import LMTensor

/// ``Lanes``: the 16-lane `Float` activations give each lane the bits of the one-lane ones
/// (so a unit's value does not depend on whether it fell in a SIMD block or the tail), and
/// both follow the plain-loop `Double` ones; ``LaneKernel/run(count:)`` covers every unit once.
@Suite struct LanesTests {
    static let inputs: [Float] = (0..<64).map { Float($0 - 32) * 0.37 } + [-100, -87.5, 0, 88.5, 100, -0.0, 1e-8, -1e-8, .nan, .infinity, -.infinity]

    @Test func sixteenLanesGiveTheOneLaneBits() {
        let x = Self.inputs + [Float](repeating: 0, count: (16 - Self.inputs.count % 16) % 16)
        x.withUnsafeBufferPointer { p in
            for start in stride(from: 0, to: x.count, by: 16) {
                let v = SIMD16<Float>.load(p.baseAddress! + start)
                let t = SIMD16<Float>.tanhActivation(v), s = SIMD16<Float>.sigmoidActivation(v), r = SIMD16<Float>.reluActivation(v)
                let g = SIMD16<Float>.reluGradient(SIMD16(repeating: 2), output: v)
                for k in 0..<16 {
                    let one = x[start + k]
                    #expect(t[k].bitPattern == Float.tanhActivation(one).bitPattern || (t[k].isNaN && one.isNaN), "tanh \(one)")
                    #expect(s[k].bitPattern == Float.sigmoidActivation(one).bitPattern || (s[k].isNaN && one.isNaN), "sigmoid \(one)")
                    #expect(r[k].bitPattern == Float.reluActivation(one).bitPattern, "relu \(one)")
                    #expect(g[k] == Float.reluGradient(2, output: one), "relu gradient \(one)")
                }
            }
        }
    }

    @Test func floatLanesFollowDouble() {
        for x in Self.inputs where x.isFinite {
            let d = Double(x)
            #expect(Double(Float.tanhActivation(x)).isApproximatelyEqual(to: Double.tanhActivation(d), absoluteTolerance: 2e-7))
            #expect(Double(Float.sigmoidActivation(x)).isApproximatelyEqual(to: Double.sigmoidActivation(d), absoluteTolerance: 2e-7))
            #expect(Double(Float.reluActivation(x)) == Double.reluActivation(d))
        }
    }

    /// Records which units each call covered, and with how many lanes.
    final class Coverage: @unchecked Sendable { var seen: [Int] = []; var widths: [Int] = [] }
    struct Recorder<Scalar: TensorScalar>: LaneKernel {
        let coverage: Coverage
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            coverage.widths.append(L.width)
            for k in 0..<L.width { coverage.seen.append(j + k) }
        }
    }

    @Test(arguments: [0, 5, 16, 37, 64])
    func runCoversEveryUnitOnce(count: Int) {
        let f = Coverage()
        Recorder<Float>(coverage: f).run(count: count)
        #expect(f.seen == Array(0..<count))
        #expect(f.widths == [Int](repeating: 16, count: count / 16) + [Int](repeating: 1, count: count % 16))
        let d = Coverage()
        Recorder<Double>(coverage: d).run(count: count)
        #expect(d.seen == Array(0..<count))
        #expect(d.widths.allSatisfy { $0 == 1 })
    }
}
