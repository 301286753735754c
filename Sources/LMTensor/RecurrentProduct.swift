import LMKernels
import Foundation

/// LMKit's own product kernel for the sequential part of a recurrent model:
/// C (m × n, row stride ldc) += A (m × k, lda) · W (k × n, ldw), `Float`, no packing.
///
/// OpenBLAS packs both operands on every call; at a recurrent step (m = batch = 32, W the
/// H × G·H recurrent weights) packing W costs a fifth of the time, 35 times per window for the
/// same W. Here W is read in place, a column strip of each of its rows at a time, and each
/// thread's part of W (≤ 1 MB for H = 512) stays in its L2 cache across the steps, and k is
/// walked in chunks that keep a strip of W and the rows of A in L1 (`RecurrentTiles.kChunk`). The
/// register tile depends on the host's vector registers (``hostTile``, from the kernel set
/// chosen at run time, ``KernelSet``): with AVX-512 (32 registers of 16 floats) 8 rows × 32 columns, 16 SIMD16
/// accumulators; with AVX2 (16 registers of 8 floats) 6 rows × 16 columns, 12 registers of
/// accumulators beside W's strip and the broadcast of A, which is what fits without spilling
/// accumulators to the stack. The backward pass multiplies by a transposed copy of W made
/// once per window, so the same kernel serves C += dG · Wᵀ.
///
/// W's rows are `ldw` apart, too far for the hardware prefetcher, so the big tiles prefetch the
/// row `prefetchDistance` ahead in software (CPrefetch). The layers run it a part of the units
/// at a time inside a ``RecurrentStep``; ``accumulate(m:n:k:a:lda:w:ldw:c:ldc:tile:descending:kernels:)``
/// splits one whole product across the ``WorkerPool`` in column blocks (multiples of 32, four
/// parts per thread; `lm-bench sgemm` measures it). The tiles themselves are
/// `RecurrentTiles` (LMKernels), compiled once per instruction set; each part is one call
/// through the active ``KernelSet``'s table.
/// Figures in bench/README.md.
public enum RecurrentProduct {
    /// The register tile of ``accumulate(m:n:k:a:lda:w:ldw:c:ldc:tile:descending:kernels:)``.
    public enum Tile: String, Sendable {
        /// 8 rows × 32 columns: 16 SIMD16 accumulators, for 32 vector registers of 16 floats (AVX-512).
        case rows8cols32 = "8x32"
        /// 6 rows × 16 columns: 6 SIMD16 accumulators (12 registers of 8 floats), for AVX2.
        case rows6cols16 = "6x16"
    }

    /// The tile for this process: 8 × 32 with the AVX-512 kernels (``KernelSet/active``), else
    /// 6 × 16; `LMKIT_RECURRENT_TILE=8x32|6x16` overrides.
    public static let hostTile: Tile = {
        if let name = ProcessInfo.processInfo.environment["LMKIT_RECURRENT_TILE"], let tile = Tile(rawValue: name) { return tile }
        return KernelSet.active == .avx512 ? .rows8cols32 : .rows6cols16
    }()

    /// C (m × n, ldc) += A (m × k, lda) · W (k × n, ldw), split over the worker pool by
    /// column blocks (multiples of 32) when ``BLAS/threads`` > 1, with `tile` (the host's by default)
    /// and the `kernels` (the active set by default; the tests run each this CPU has).
    ///
    /// `descending` reverses the order in which each thread walks its columns (its parts and the
    /// strips in them); the sums are the same. A recurrent layer alternates it step by step: a
    /// thread's part of W that is larger than its L2 cache then starts where the last step ended,
    /// on the strips still cached, instead of on the ones a left-to-right walk evicted first.
    public static func accumulate(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                  w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                  tile: Tile = hostTile, descending: Bool = false, kernels: KernelSet = .active) {
        let block = kernels.table.recurrentBlock, wide32 = tile == .rows8cols32
        let pool = WorkerPool.shared
        let threads = min(BLAS.threads, pool.width)
        // Four parts per thread (at least 32 columns each): a thread slowed down by another
        // process leaves its last parts to the others.
        let parts = min(4 * threads, max(1, n / 32))
        if threads <= 1 || parts <= 1 || m * n * k < 65536 {
            block(m, k, 0, n, a, lda, w, ldw, c, ldc, wide32, descending)
            return
        }
        pool.run(parts: parts) { p in
            let cols = BLAS.block(n, parts: parts, claimed(p, parts: parts, descending: descending), multiple: 32)
            if !cols.isEmpty {
                block(m, k, cols.lowerBound, cols.upperBound, a, lda, w, ldw, c, ldc, wide32, descending)
            }
        }
    }

    /// The part to run for the `p`-th claim of a split job. The caller claims parts from the
    /// front, the first worker from the back (``WorkerPool``), so ascending the caller ends on
    /// part parts/2 − 1 and the worker on part parts/2; descending maps the claims so that each
    /// starts on the part it ended on, walking back.
    @inlinable
    public static func claimed(_ p: Int, parts: Int, descending: Bool) -> Int {
        let half = parts / 2
        return !descending ? p : p < half ? half - 1 - p : parts - 1 - p + half
    }
}
