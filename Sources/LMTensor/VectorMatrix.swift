#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMKernels

/// y += x · W for a row vector x (rows) and a row-major matrix W (rows × cols, row stride
/// `stride`), reading W once, in place, with 16-lane SIMD fused multiply-adds (AVX-512 where
/// the CPU has it: the kernels are `VectorMatrixKernels`, one call through ``KernelSet``'s
/// table each): the products of one recurrent step at batch 1, where an m = 1 GEMM would
/// spend its time packing W.
///
/// ``accumulate(_:_:rows:cols:stride:into:backwards:)`` (the wide kernel) sums every column on
/// its own accumulator over the rows in order, y[j] += fma-chain(x[0] W[0][j], x[1] W[1][j], …):
/// columns go in blocks of 256 (sixteen 16-lane accumulators, W streamed row by row: 1 KB
/// contiguous per row, faster than blocks of 128 on RNN-512), then 128, 64,
/// 16, 4 and 1, all with that same order, so a column's result does not depend on the block
/// that holds it and the products may be split anywhere across threads bit for bit.
///
/// ``accumulateNarrow(_:_:rows:cols:stride:into:)`` is for matrices with few columns (the
/// output head, vocabulary 28): there one accumulator chain per column would wait on the FMA
/// latency, so the rows go round-robin over four accumulator sets, added at the end.
public enum VectorMatrix {
    typealias V16 = SIMD16<Float>
    typealias V4 = SIMD4<Float>

    /// How a step's products run. Neither choice changes a bit of the results.
    public struct Schedule: Sendable, Equatable {
        /// Split large products (``isWorthSplitting(rows:cols:)``) by column blocks across the
        /// ``WorkerPool``.
        public var split: Bool
        /// Walk the wide kernel's 256-column blocks last to first. Alternated every step, a
        /// step starts on the blocks the previous one read last, still in this core's L2.
        public var backwards: Bool

        /// A schedule; the default runs on the calling thread, blocks first to last.
        public init(split: Bool = false, backwards: Bool = false) {
            self.split = split
            self.backwards = backwards
        }

        /// The same block order, on the calling thread.
        public var serial: Schedule { Schedule(split: false, backwards: backwards) }
    }

    /// Products with at least this many multiply-adds are split across the ``WorkerPool``
    /// (RNN-512's 512 × 512 recurrent product is; the head is not).
    /// `LMKIT_STEP_PARALLEL_MIN` overrides it (0 = always split, a huge value = never).
    public static let splitThreshold: Int = {
        if let text = getenv("LMKIT_STEP_PARALLEL_MIN"), let value = Int(String(cString: text)) { return value }
        return 65_536
    }()

    /// Whether a rows × cols product is large enough to split across the shared pool (and the
    /// pool has more than one thread and the product at least two 16-column blocks).
    @inline(__always)
    public static func isWorthSplitting(rows k: Int, cols n: Int) -> Bool {
        WorkerPool.shared.width > 1 && k * n >= splitThreshold && n / 16 >= 2
    }

    /// The wide kernel under `schedule`: when it splits and the product is large, each part
    /// takes a contiguous run of 16-column blocks; every column is summed in the same order
    /// as serially (the results do not depend on the split).
    public static func accumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int,
                                  stride: Int, into y: UnsafeMutablePointer<Float>, schedule: Schedule) {
        let backwards = schedule.backwards
        guard schedule.split, isWorthSplitting(rows: k, cols: n) else {
            accumulate(x, w, rows: k, cols: n, stride: stride, into: y, backwards: backwards)
            return
        }
        let pool = WorkerPool.shared
        let blocks = n / 16
        let parts = min(pool.width, blocks)
        pool.run(parts: parts) { p in
            let lo = p * blocks / parts * 16
            let hi = p == parts - 1 ? n : (p + 1) * blocks / parts * 16
            accumulate(x, w + lo, rows: k, cols: hi - lo, stride: stride, into: y + lo, backwards: backwards)
        }
    }

    /// The kernel for an output head of any width, on the calling thread: the narrow kernel
    /// under 128 columns, the wide one from 128 on.
    @inline(__always)
    public static func accumulateHead(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int,
                                      stride: Int, into y: UnsafeMutablePointer<Float>) {
        if n < 128 {
            accumulateNarrow(x, w, rows: k, cols: n, stride: stride, into: y)
        } else {
            accumulate(x, w, rows: k, cols: n, stride: stride, into: y)
        }
    }

    /// The wide kernel (see the type's comment), on the calling thread, with `kernels` (the
    /// active set by default): one call through its table.
    public static func accumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                                  into y: UnsafeMutablePointer<Float>, backwards: Bool = false, kernels: KernelSet = .active) {
        kernels.table.vectorMatrixWide(x, w, k, n, stride, y, backwards)
    }

    /// The narrow kernel (see the type's comment), on the calling thread, with `kernels`.
    public static func accumulateNarrow(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                                        into y: UnsafeMutablePointer<Float>, kernels: KernelSet = .active) {
        kernels.table.vectorMatrixNarrow(x, w, k, n, stride, y)
    }
}
