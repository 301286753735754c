import Testing
import Numerics
@testable import LMTensor

/// The fused `Float` LSTM row kernels (16-lane SIMD plus a ragged tail) against the plain
/// loops that `Double` runs and the gradient checks validate.
@Suite struct CellKernelsTests {
    @Test(arguments: [16, 37, 64, 5])
    func lstmRowKernelsMatchPlainLoops(h: Int) {
        var rng = SplitMix64(seed: UInt64(h))
        let gates = randomArray(4 * h, in: -4...4, &rng).map(Float.init)
        let cell = randomArray(h, in: -2...2, &rng).map(Float.init)
        let dh = randomArray(h, in: -1...1, &rng).map(Float.init)
        let carry = randomArray(h, in: -1...1, &rng).map(Float.init)
        func run(fused: Bool) -> [[Float]] {
            var g = gates, cn = [Float](repeating: 0, count: h), tc = cn, hn = cn, c = carry
            var dg = [Float](repeating: 0, count: 4 * h)
            g.withUnsafeMutableBufferPointer { g in cell.withUnsafeBufferPointer { cp in
                cn.withUnsafeMutableBufferPointer { cn in tc.withUnsafeMutableBufferPointer { tc in hn.withUnsafeMutableBufferPointer { hn in
                    if fused {
                        Float.lstmForward(gates: g.baseAddress!, cell: cp.baseAddress!, newCell: cn.baseAddress!, tanhCell: tc.baseAddress!, hidden: hn.baseAddress!, count: h)
                    } else {
                        Float.lstmForwardLoops(gates: g.baseAddress!, cell: cp.baseAddress!, newCell: cn.baseAddress!, tanhCell: tc.baseAddress!, hidden: hn.baseAddress!, count: h)
                    }
                    dh.withUnsafeBufferPointer { d in c.withUnsafeMutableBufferPointer { c in dg.withUnsafeMutableBufferPointer { dg in
                        if fused {
                            Float.lstmBackward(gates: g.baseAddress!, cell: cp.baseAddress!, tanhCell: tc.baseAddress!, hiddenGradient: d.baseAddress!, cellGradient: c.baseAddress!, gateGradients: dg.baseAddress!, count: h)
                        } else {
                            Float.lstmBackwardLoops(gates: g.baseAddress!, cell: cp.baseAddress!, tanhCell: tc.baseAddress!, hiddenGradient: d.baseAddress!, cellGradient: c.baseAddress!, gateGradients: dg.baseAddress!, count: h)
                        }
                    } } }
                } } }
            } }
            return [g, cn, tc, hn, c, dg]
        }
        let a = run(fused: true), b = run(fused: false)
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x, y) { #expect(Double(u).isApproximatelyEqual(to: Double(v), absoluteTolerance: 2e-6)) }
        }
    }
}
