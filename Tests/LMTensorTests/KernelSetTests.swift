import Foundation
import Testing
@testable import LMTensor

/// The run-time choice of kernels: the floor's always runs here (the start-up check let this
/// process start), the chosen set is one this CPU runs, and every set this CPU runs gives the
/// same bits (each element's products added in the same order, one FMA per product).
@Suite struct KernelSetTests {
    @Test func theFloorAndTheActiveSetRunHere() {
        #expect(KernelSet.avx2.isSupported)
        #expect(KernelSet.active.isSupported)
        #expect(KernelSet.avx2.requiredFlags.isEmpty)
        #expect(KernelSet(rawValue: "avx512")?.requiredFlags == ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"])
        if ProcessInfo.processInfo.environment["LMKIT_KERNELS"] == nil {
            #expect(KernelSet.active == (KernelSet.avx512.isSupported ? .avx512 : .avx2))
        }
    }

    @Test func everySetThisCPURunsGivesTheSameBits() {
        let (m, k, n) = (20, 200, 808)
        var rng = SplitMix64(seed: 29)
        let a = randomArray(m * k, in: -1...1, &rng).map(Float.init)
        let w = randomArray(k * n, in: -1...1, &rng).map(Float.init)
        let c0 = randomArray(m * n, in: -1...1, &rng).map(Float.init)
        let results = KernelSet.allCases.filter(\.isSupported).map { kernels -> [UInt32] in
            var c = c0, y = Array(c0[0..<n]), narrow = Array(c0[0..<40])
            a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in
                c.withUnsafeMutableBufferPointer { cp in
                    RecurrentProduct.accumulate(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, w: wp.baseAddress!, ldw: n,
                                                c: cp.baseAddress!, ldc: n, kernels: kernels)
                }
                y.withUnsafeMutableBufferPointer {
                    VectorMatrix.accumulate(ap.baseAddress!, wp.baseAddress!, rows: k, cols: n, stride: n, into: $0.baseAddress!, kernels: kernels)
                }
                narrow.withUnsafeMutableBufferPointer {
                    VectorMatrix.accumulateNarrow(ap.baseAddress!, wp.baseAddress!, rows: k, cols: 40, stride: n, into: $0.baseAddress!, kernels: kernels)
                }
            } }
            #expect(c != c0)
            return (c + y + narrow).map(\.bitPattern)
        }
        #expect(!results.isEmpty)
        for other in results.dropFirst() { #expect(other == results[0]) }
    }
}
