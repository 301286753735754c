import Testing
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
