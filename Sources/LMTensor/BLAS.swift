#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LMFileSystem

/// The one place in LMKit that calls a BLAS: loads OpenBLAS, picks its kernels and threads,
/// and exposes `sgemm`/`dgemm`.
///
/// ## Loading: `dlopen` after `setenv`, not re-exec
/// OpenBLAS picks its kernels once, when the library loads, from `OPENBLAS_CORETYPE` or its own
/// CPU detection, and Debian's 0.3.21 does not know recent Intel server CPUs (it falls back to
/// "Prescott", SSE3, kernels there). LMKit therefore does not link `libopenblas` at build time.
/// On first use it `dlopen`s the library and calls it through function pointers, after
/// choosing the core:
/// 1. `LMKIT_BLAS_CORETYPE=<core>` forces a core (copied to `OPENBLAS_CORETYPE`);
/// 2. an `OPENBLAS_CORETYPE` already in the environment is respected when it is at least the
///    kernel tier the CPU supports; one *below* it (an image that exports
///    `OPENBLAS_CORETYPE=Haswell` on AVX-512 machines) is treated as a fallback and replaced
///    by the best core, with a note on stderr (`configuration.description`);
/// 3. otherwise the library is loaded with OpenBLAS's own detection and
///    `openblas_get_corename()` is compared with what `/proc/cpuinfo` says the CPU can run;
///    only when the picked core is a *fallback* (a lower kernel tier than the CPU supports:
///    no AVX-512 kernels on an AVX-512 CPU, no AVX2 kernels on an AVX2+FMA CPU) the library
///    is unloaded (`dlclose`, verified with `RTLD_NOLOAD`), `OPENBLAS_CORETYPE` is set to the
///    best core the CPU has ("Cooperlake" with avx512_bf16, else "SkylakeX", else "Haswell")
///    and it is loaded again. If it cannot be unloaded, the fallback is kept and reported.
/// This works in every process (tests, tools, benchmarks) without re-executing the program;
/// re-exec would only fix executables that remember to call it first. The unload-reload path
/// is exercised on any machine with `LMKIT_BLAS_SIMULATE_FALLBACK=1`, which makes the first
/// load pick "Prescott".
///
/// ## Threads
/// A multi-threaded product is, by default, split by LMKit into one block of C's columns (or
/// rows) per core, each computed by a single-threaded OpenBLAS call on ``WorkerPool``
/// threads that spin between calls (``Parallelism/split``): OpenBLAS's own threading costs
/// too much per call at the per-step shapes of a recurrent model (the measurements are in
/// bench/README.md, "Measurements behind the design"). Both thread counts default to the
/// processor count; the per-step products go through ``RecurrentProduct`` instead.
/// ``threads`` is the count for large products; products with fewer than
/// ``smallProductFlops`` floating-point operations (2·m·n·k) use ``smallProductThreads``
/// (kept for machines where small products should stay on one core). Overrides:
/// `LMKIT_BLAS_THREADS`, `LMKIT_BLAS_SMALL_THREADS`, `LMKIT_BLAS_SMALL_FLOPS`,
/// `LMKIT_BLAS_PARALLELISM=openblas`, or the properties (and `lm-bench --threads`).
///
/// Not thread-safe to reconfigure: set the thread properties from one thread, before work.
public enum BLAS {
    /// What was loaded and how it was configured.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The shared object that was loaded (e.g. "libopenblas.so.0").
        public let library: String
        /// `openblas_get_corename()` after configuration (e.g. "Cooperlake", "SkylakeX").
        public let coreName: String
        /// The core OpenBLAS picked by itself (or the environment asked for), when LMKit
        /// replaced it.
        public let detectedCoreName: String?
        /// The `OPENBLAS_CORETYPE` value LMKit set, if it overrode a fallback.
        public let coreTypeOverride: String?
        /// `OPENBLAS_CORETYPE` as set by the user, if any (then never overridden).
        public let userCoreType: String?
        /// The best OpenBLAS core this CPU can run, from /proc/cpuinfo flags.
        public let bestCoreForCPU: String?
        /// Number of online processors.
        public let processors: Int
        /// A warning to show the user (e.g. a fallback that could not be fixed), if any.
        public let warning: String?
        /// What LMKit changed about the environment's choice, if anything.
        public let note: String?

        public var description: String {
            var s = "BLAS: \(library) core=\(coreName)"
            if let d = detectedCoreName { s += " (OpenBLAS detected \(d))" }
            if let o = coreTypeOverride { s += " OPENBLAS_CORETYPE=\(o) set by LMKit (fallback overridden)" }
            if let n = note { s += " (\(n))" }
            if let u = userCoreType { s += " OPENBLAS_CORETYPE=\(u) chosen by the user" }
            s += " cpu-best=\(bestCoreForCPU ?? "unknown") processors=\(processors)"
            s += " parallelism=\(BLAS.parallelism.rawValue) threads=\(BLAS.threads) small-product-threads=\(BLAS.smallProductThreads) (below \(BLAS.smallProductFlops) flop)"
            if let w = warning { s += " WARNING: \(w)" }
            return s
        }
    }

    /// How OpenBLAS was loaded and configured (loads it on first access).
    public static var configuration: Configuration { OpenBLASLibrary.shared.configuration }

    /// Threads for large products (default: the usable cores, ``UsableProcessors``, or `LMKIT_BLAS_THREADS`).
    nonisolated(unsafe) public static var threads: Int = envInt("LMKIT_BLAS_THREADS") ?? UsableProcessors.count

    /// Threads for products below ``smallProductFlops`` (default from measurements, or
    /// `LMKIT_BLAS_SMALL_THREADS`).
    nonisolated(unsafe) public static var smallProductThreads: Int = envInt("LMKIT_BLAS_SMALL_THREADS") ?? UsableProcessors.count

    /// Products with fewer flops (2·m·n·k) than this use ``smallProductThreads``.
    nonisolated(unsafe) public static var smallProductFlops: Int = envInt("LMKIT_BLAS_SMALL_FLOPS") ?? 4_000_000

    /// Sets both thread counts at once (the `--threads` flag of the tools).
    public static func setThreads(_ n: Int) {
        threads = max(1, n)
        smallProductThreads = max(1, n)
    }

    /// The thread count the next product of this size will use.
    @inlinable
    public static func threadCount(m: Int, n: Int, k: Int) -> Int {
        2 * m * n * k < smallProductFlops ? smallProductThreads : threads
    }

    private static func envInt(_ name: String) -> Int? {
        guard let v = ProcessInfo.processInfo.environment[name], let n = Int(v), n > 0 else { return nil }
        return n
    }

    /// How a product that gets more than one thread is parallelised.
    public enum Parallelism: String, Sendable, CaseIterable {
        /// LMKit splits C into column (or row) blocks, one per core, each computed by a
        /// single-threaded OpenBLAS call on ``WorkerPool`` threads that spin between steps.
        case split
        /// OpenBLAS's own threads (`openblas_set_num_threads`).
        case openblas
    }

    /// The parallelisation of multi-threaded products (default `split`, or
    /// `LMKIT_BLAS_PARALLELISM=openblas`).
    nonisolated(unsafe) public static var parallelism: Parallelism =
        ProcessInfo.processInfo.environment["LMKIT_BLAS_PARALLELISM"].flatMap(Parallelism.init(rawValue:)) ?? .split

    /// Row-major single-precision product `C = alpha·op(A)·op(B) + beta·C` (see
    /// ``TensorScalar/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``).
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let f = OpenBLASLibrary.shared.sgemm
        let oa: Int32 = transposeA ? 112 : 111, ob: Int32 = transposeB ? 112 : 111
        if splitsDepth(m: m, n: n, k: k) {
            depthHalves(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc) { kk, ap, bp, first, cp, ldcc in
                f(101, oa, ob, Int32(m), Int32(n), Int32(kk), alpha, ap, Int32(lda), bp, Int32(ldb), first ? beta : 0, cp, Int32(ldcc))
            }
            return
        }
        gemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc) { mm, nn, ap, bp, cp in
            f(101, oa, ob, mm, nn, Int32(k), alpha, ap, Int32(lda), bp, Int32(ldb), beta, cp, Int32(ldc))
        }
    }

    /// Row-major double-precision product, as ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    public static func dgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        let f = OpenBLASLibrary.shared.dgemm
        let oa: Int32 = transposeA ? 112 : 111, ob: Int32 = transposeB ? 112 : 111
        if splitsDepth(m: m, n: n, k: k) {
            depthHalves(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc) { kk, ap, bp, first, cp, ldcc in
                f(101, oa, ob, Int32(m), Int32(n), Int32(kk), alpha, ap, Int32(lda), bp, Int32(ldb), first ? beta : 0, cp, Int32(ldcc))
            }
            return
        }
        gemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc) { mm, nn, ap, bp, cp in
            f(101, oa, ob, mm, nn, Int32(k), alpha, ap, Int32(lda), bp, Int32(ldb), beta, cp, Int32(ldc))
        }
    }

    /// Whether a product is split along k (``depthHalves``): in `split` parallelism, when k is
    /// at least 4 · max(m, n) and C is small enough (≤ 2²⁰ elements) for a scratch copy. The
    /// choice depends on the shape alone, never on the thread count.
    @inline(__always)
    static func splitsDepth(m: Int, n: Int, k: Int) -> Bool {
        parallelism == .split && m >= 16 && n >= 16 && k >= 4 * max(m, n) && m * n <= 1 << 20
    }

    /// A deep product (∂H = dL · Wᵀ of a vocabulary-sized head: k = V ≫ m, n) as two products
    /// over the halves of k, the first into C with `beta`, the second into scratch (beta 0), then
    /// C += scratch. Run on two threads, each packs half of *both* operands, where blocks of C
    /// would each pack all of the one they share. The halves are taken on one thread too, so the
    /// result does not depend on the thread count. `call(k, a, b, first, c, ldc)` runs one half.
    @inline(__always)
    private static func depthHalves<T: BinaryFloatingPoint>(
        _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
        _ c: UnsafeMutablePointer<T>, _ ldc: Int,
        _ call: (Int, UnsafePointer<T>, UnsafePointer<T>, Bool, UnsafeMutablePointer<T>, Int) -> Void
    ) {
        let lib = OpenBLASLibrary.shared, pool = WorkerPool.shared
        let k0 = min(k, (k / 2 + 15) / 16 * 16)
        let aDeep = ta ? a + k0 * lda : a + k0, bDeep = tb ? b + k0 : b + k0 * ldb
        ScratchMemory.shared.borrow(T.self, count: m * n) { scratch in
            func half(_ p: Int) {
                if p == 0 { call(k0, a, b, true, c, ldc) } else { call(k - k0, aDeep, bDeep, false, scratch, n) }
            }
            lib.useThreads(1)
            if threadCount(m: m, n: n, k: k) > 1 && pool.width > 1 {
                pool.run(parts: 2, half)
            } else {
                half(0)
                half(1)
            }
            pool.parallelRows(m, width: n) { rows in
                for r in rows {
                    let cr = c + r * ldc, sr = UnsafePointer(scratch + r * n)
                    for j in 0..<n { cr[j] += sr[j] }
                }
            }
        }
    }

    /// The rows (or columns) of part `p` of `parts` blocks of `total`, in multiples of `multiple`.
    @inline(__always)
    static func block(_ total: Int, parts: Int, _ p: Int, multiple: Int = 16) -> Range<Int> {
        let chunk = ((total + parts - 1) / parts + multiple - 1) / multiple * multiple
        let lo = min(p * chunk, total)
        return lo..<min(lo + chunk, total)
    }

    /// Runs one product, split into blocks of C across the ``WorkerPool`` when the thread
    /// policy gives it more than one thread (see ``Parallelism``). `call(m, n, a, b, c)` runs
    /// the BLAS on a block.
    @inline(__always)
    private static func gemm<T>(
        _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
        _ c: UnsafeMutablePointer<T>, _ ldc: Int,
        _ call: (Int32, Int32, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
    ) {
        let lib = OpenBLASLibrary.shared
        let t = threadCount(m: m, n: n, k: k)
        let pool = WorkerPool.shared
        if t > 1 && parallelism == .split && pool.width > 1 && max(m, n) >= 32 {
            lib.useThreads(1)
            let parts = min(t, pool.width)
            if n >= m {
                // Column blocks of C: columns of op(B).
                pool.run(parts: parts) { p in
                    let r = block(n, parts: parts, p)
                    if r.isEmpty { return }
                    call(Int32(m), Int32(r.count), a, tb ? b + r.lowerBound * ldb : b + r.lowerBound, c + r.lowerBound)
                }
            } else {
                // Row blocks of C: rows of op(A).
                pool.run(parts: parts) { p in
                    let r = block(m, parts: parts, p)
                    if r.isEmpty { return }
                    call(Int32(r.count), Int32(n), ta ? a + r.lowerBound : a + r.lowerBound * lda, b, c + r.lowerBound * ldc)
                }
            }
        } else {
            lib.useThreads(parallelism == .split ? 1 : t)
            call(Int32(m), Int32(n), a, b, c)
        }
    }

    /// The OpenBLAS core tier a CPU with these /proc/cpuinfo flags can run, and its name.
    static func bestCore(flags: Set<String>) -> (name: String, tier: Int)? {
        let avx512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
        if avx512 { return flags.contains("avx512_bf16") ? ("Cooperlake", 3) : ("SkylakeX", 3) }
        if flags.contains("avx2") && flags.contains("fma") { return ("Haswell", 2) }
        return nil
    }

    /// The kernel tier of an OpenBLAS core name: 3 AVX-512, 2 AVX2, 1 older.
    static func tier(ofCore name: String) -> Int {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen", "skylake": return 2
        default: return 1
        }
    }
}

/// The loaded OpenBLAS: handle and function pointers (immutable after loading).
final class OpenBLASLibrary: @unchecked Sendable {
    typealias SgemmFn = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
        UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias DgemmFn = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Double,
        UnsafePointer<Double>?, Int32, UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32) -> Void
    typealias SetThreadsFn = @convention(c) (Int32) -> Void
    typealias CoreNameFn = @convention(c) () -> UnsafeMutablePointer<CChar>?

    static let shared = OpenBLASLibrary()

    let sgemm: SgemmFn
    let dgemm: DgemmFn
    private let setThreads: SetThreadsFn
    let configuration: BLAS.Configuration
    /// The thread count last passed to OpenBLAS (guarded by being used from one thread at a
    /// time, as OpenBLAS itself requires for `openblas_set_num_threads`).
    nonisolated(unsafe) private var currentThreads = -1

    private init() {
        let env = ProcessInfo.processInfo.environment
        let candidates = (env["LMKIT_BLAS_LIBRARY"].map { [$0] } ?? []) +
            ["libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0"]
        let flags = CPUFeatures.host
        let best = BLAS.bestCore(flags: flags)
        var userCore = env["OPENBLAS_CORETYPE"]
        var environmentNote: String? = nil
        if let forced = env["LMKIT_BLAS_CORETYPE"], !forced.isEmpty {
            setenv("OPENBLAS_CORETYPE", forced, 1)
            userCore = forced
        } else if let u = userCore, let best, BLAS.tier(ofCore: u) < best.tier {
            environmentNote = "OPENBLAS_CORETYPE=\(u) from the environment is below this CPU's \(best.name) kernels; using \(best.name) (LMKIT_BLAS_CORETYPE=\(u) forces it)"
            setenv("OPENBLAS_CORETYPE", best.name, 1)
            userCore = nil
        }
        let simulate = env["LMKIT_BLAS_SIMULATE_FALLBACK"] == "1" && userCore == nil && environmentNote == nil
        if simulate { setenv("OPENBLAS_CORETYPE", "Prescott", 1) }

        var handle: UnsafeMutableRawPointer?
        var name = ""
        for c in candidates {
            if let h = dlopen(c, RTLD_NOW | RTLD_LOCAL) { handle = h; name = c; break }
        }
        guard var h = handle else {
            fatalError("LMKit BLAS: cannot load OpenBLAS (tried \(candidates.joined(separator: ", "))). Install it with `apt-get install libopenblas-dev` (bin/setup does), or point LMKIT_BLAS_LIBRARY at libopenblas.so.")
        }
        func symbol<F>(_ h: UnsafeMutableRawPointer, _ s: String, _: F.Type) -> F {
            guard let p = dlsym(h, s) else { fatalError("LMKit BLAS: \(name) has no symbol \(s); is it OpenBLAS?") }
            return unsafeBitCast(p, to: F.self)
        }
        func coreName(_ h: UnsafeMutableRawPointer) -> String {
            guard let p = symbol(h, "openblas_get_corename", CoreNameFn.self)() else { return "unknown" }
            return String(cString: p)
        }

        var detected: String? = nil
        var override: String? = nil
        var warning: String? = nil
        var core = coreName(h)
        if environmentNote != nil {
            override = best?.name
            detected = env["OPENBLAS_CORETYPE"]
        } else if userCore == nil, let best, BLAS.tier(ofCore: core) < best.tier {
            // A fallback: unload, set the core type, load again.
            detected = core
            dlclose(h)
            if let still = dlopen(name, RTLD_NOW | RTLD_NOLOAD) {
                h = still
                warning = "OpenBLAS picked \(core) kernels but could not be unloaded to switch to \(best.name); set OPENBLAS_CORETYPE=\(best.name) before starting"
            } else {
                setenv("OPENBLAS_CORETYPE", best.name, 1)
                guard let again = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                    fatalError("LMKit BLAS: reloading \(name) with OPENBLAS_CORETYPE=\(best.name) failed")
                }
                h = again
                override = best.name
                core = coreName(h)
            }
        }
        sgemm = symbol(h, "cblas_sgemm", SgemmFn.self)
        dgemm = symbol(h, "cblas_dgemm", DgemmFn.self)
        setThreads = symbol(h, "openblas_set_num_threads", SetThreadsFn.self)
        configuration = BLAS.Configuration(
            library: name, coreName: core, detectedCoreName: detected, coreTypeOverride: override,
            userCoreType: simulate ? nil : userCore, bestCoreForCPU: best?.name,
            processors: UsableProcessors.count, warning: warning,
            note: environmentNote)
    }

    @inline(__always)
    func useThreads(_ n: Int) {
        if n != currentThreads {
            currentThreads = n
            setThreads(Int32(n))
        }
    }
}
