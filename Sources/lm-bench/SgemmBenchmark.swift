import ArgumentParser
import Foundation
import LMTensor

/// `lm-bench sgemm`: single-precision matrix product rate through LMKit's BLAS layer.
struct SgemmBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm", abstract: "sgemm GFLOP/s (2·m·n·k per product) through the BLAS layer.")

    @Option(help: "Rows of A and C.") var m: Int = 2048
    @Option(help: "Columns of A, rows of B.") var k: Int = 2048
    @Option(help: "Columns of B and C.") var n: Int = 2048
    @Option(help: "BLAS threads (default: the BLAS layer's choice for this size).") var threads: Int?
    @Option(help: "Seconds to measure, after a warm-up.") var seconds: Double = 3
    @Flag(help: "Use op(A) = Aᵀ (A stored k × m).") var transposeA = false
    @Flag(help: "Use op(B) = Bᵀ (B stored n × k).") var transposeB = false
    @Flag(help: "Use LMKit's recurrent-step kernel (C += A·B, no transposes) instead of OpenBLAS, its column order alternating call by call as a layer's steps do.") var recurrentKernel = false

    func validate() throws {
        guard m > 0, k > 0, n > 0 else { throw ValidationError("--m, --k, --n must be positive") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if recurrentKernel && (transposeA || transposeB) { throw ValidationError("--recurrent-kernel takes no transposes") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        if let t = threads { BLAS.setThreads(t) }
        log(BLAS.configuration.description)
        var rng = SplitMix64(state: 1)
        let a = Buffer<Float>(count: m * k), b = Buffer<Float>(count: k * n), c = Buffer<Float>(count: m * n)
        for i in 0..<a.count { a[i] = Float.random(in: -1...1, using: &rng) }
        for i in 0..<b.count { b[i] = Float.random(in: -1...1, using: &rng) }
        var calls = 0
        func product() {
            if recurrentKernel {
                RecurrentProduct.accumulate(m: m, n: n, k: k, a: a.pointer, lda: k, w: b.pointer, ldw: n, c: c.pointer, ldc: n,
                                            descending: calls & 1 == 1)
                calls += 1
                return
            }
            BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                       a: a.pointer, lda: transposeA ? m : k, b: b.pointer, ldb: transposeB ? k : n,
                       beta: 1, c: c.pointer, ldc: n)
        }
        let warm = MonotonicClock.seconds()
        var w = 0
        while w < 2 || MonotonicClock.seconds() - warm < min(0.2, seconds / 4) { product(); w += 1 }
        var count = 0
        let start = MonotonicClock.seconds()
        var elapsed = 0.0
        repeat { product(); count += 1; elapsed = MonotonicClock.seconds() - start } while elapsed < seconds
        let gflops = 2.0 * Double(m) * Double(n) * Double(k) * Double(count) / elapsed / 1e9
        print(jsonLine([("bench", "sgemm"), ("m", m), ("k", k), ("n", n),
                        ("threads", BLAS.threadCount(m: m, n: n, k: k)),
                        ("blas_core", recurrentKernel ? "lmkit-recurrent" : BLAS.configuration.coreName),
                        ("gflops", gflops)]))
    }
}
