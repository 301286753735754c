import Testing
import Numerics
@testable import LMTensor

@Suite struct BLASTests {
    @Test func loadsOpenBLASWithAKnownCore() {
        let c = BLAS.configuration
        #expect(!c.coreName.isEmpty && c.coreName != "unknown")
        // Never left on a fallback when the CPU can do better and the user did not choose.
        if c.userCoreType == nil, let best = c.bestCoreForCPU, c.warning == nil {
            #expect(BLAS.tier(ofCore: c.coreName) >= BLAS.tier(ofCore: best))
        }
    }

    @Test func coreTiersFromCPUFlags() {
        let avx512: Set = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        #expect(BLAS.bestCore(flags: avx512)?.name == "SkylakeX")
        #expect(BLAS.bestCore(flags: avx512.union(["avx512_bf16"]))?.name == "Cooperlake")
        #expect(BLAS.bestCore(flags: ["avx2", "fma"])?.name == "Haswell")
        #expect(BLAS.bestCore(flags: ["sse3"]) == nil)
        #expect(BLAS.tier(ofCore: "Prescott") < BLAS.tier(ofCore: "SkylakeX"))
        #expect(BLAS.tier(ofCore: "Zen") == BLAS.tier(ofCore: "Haswell"))
    }

    @Test func threadPolicyBySize() {
        let saved = (BLAS.threads, BLAS.smallProductThreads, BLAS.smallProductFlops)
        defer { (BLAS.threads, BLAS.smallProductThreads, BLAS.smallProductFlops) = saved }
        BLAS.threads = 2; BLAS.smallProductThreads = 1; BLAS.smallProductFlops = 1000
        #expect(BLAS.threadCount(m: 2, n: 2, k: 2) == 1)
        #expect(BLAS.threadCount(m: 100, n: 100, k: 100) == 2)
    }

    /// Deep products (k ≥ 4 · max(m, n)) run as two halves of k: every transpose, strided
    /// operands, alpha and beta, an odd k, against a Double triple loop; C's padding untouched.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func deepProductsSplitAlongKMatchTripleLoop(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let (m, n, k) = (24, 17, 1_001)
        #expect(BLAS.splitsDepth(m: m, n: n, k: k) == (BLAS.parallelism == .split))
        var rng = SplitMix64(seed: 5)
        let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 4
        let a = randomArray((ta ? k : m) * lda, in: -1...1, &rng).map(Float.init)
        let b = randomArray((tb ? n : k) * ldb, in: -1...1, &rng).map(Float.init)
        var c = randomArray(m * ldc, in: -1...1, &rng).map(Float.init)
        let c0 = c
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda,
                       b: bp.baseAddress!, ldb: ldb, beta: 2, c: cp.baseAddress!, ldc: ldc)
        } } }
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else { #expect(c[i * ldc + j] == c0[i * ldc + j]); continue }
                var sum = 0.0
                for p in 0..<k {
                    sum += Double(ta ? a[p * lda + i] : a[i * lda + p]) * Double(tb ? b[j * ldb + p] : b[p * ldb + j])
                }
                let expected = 2 * Double(c0[i * ldc + j]) + 0.5 * sum
                #expect(Double(c[i * ldc + j]).isApproximatelyEqual(to: expected, absoluteTolerance: 1e-4), "C[\(i), \(j)]")
            }
        }
    }

    @Test func gemmHonoursStridesAndBeta() {
        // C (2×2, ldc 3) = 2·A(2×2 block of a 2×4) · B + 1·C.
        let a: [Float] = [1, 2, 9, 9, 3, 4, 9, 9]
        let b: [Float] = [1, 0, 0, 1]
        var c: [Float] = [1, 1, 7, 1, 1, 7]
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 2,
                       a: ap.baseAddress!, lda: 4, b: bp.baseAddress!, ldb: 2, beta: 1, c: cp.baseAddress!, ldc: 3)
        } } }
        #expect(c == [3, 5, 7, 7, 9, 7])
    }
}
