import RealModule

/// The element type of LMKit's tensors: `Float` for training and inference, `Double` for
/// gradient checks.
///
/// It refines swift-numerics' `Real`, whose elementary functions (`exp`, `log`, `tanh`,
/// `cos` …) are the C library's, so `Scalar.exp(x)` in generic code is libm's `expf` or
/// `exp`.
///
/// Every model and kernel is generic over this protocol so that the exact backward code that
/// trains in `Float` is checked against finite differences in `Double`. The hot kernels are
/// protocol requirements: each conformance supplies a concrete implementation (SIMD for
/// `Float`, plain loops for `Double`), so a call from generic code costs one witness-table
/// jump per kernel call and never one per element. Element-wise math of the layers above is
/// written over ``Lanes`` instead (see ``LaneKernel``); this layer knows no gate layout.
///
/// All pointer kernels take element counts, not byte counts; source and destination may
/// alias exactly (in-place) but must not partially overlap.
public protocol TensorScalar: Real, BinaryFloatingPoint, Codable, Sendable, Lanes
where Self.RawSignificand: FixedWidthInteger, Element == Self {
    /// The widest ``Lanes`` of this scalar that element-wise math runs on (`SIMD16<Float>` for
    /// `Float`, `Double` itself for `Double`; see ``LaneKernel``).
    associatedtype Block: Lanes where Block.Element == Self


    /// A short name for messages and file headers ("F32", "F64", as safetensors spells it).
    static var dtypeName: String { get }

    /// Row-major general matrix product `C = alpha · op(A) · op(B) + beta · C` through
    /// ``BLAS`` (`sgemm` for `Float`, `dgemm` for `Double`).
    ///
    /// `op(A)` is m × k, `op(B)` is k × n, `C` is m × n; `lda`, `ldb`, `ldc` are the row
    /// strides (in elements) of the matrices as stored (before transposition).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Columns `columns` of the recurrent-step product C (m × n, ldc) += A (m × k, lda) · W
    /// (k × n, ldw), on the calling thread: LMKit's own unpacked kernel for `Float` (the tiles of
    /// ``RecurrentProduct``, W read in place), `gemm` on the columns for `Double`. A part of a
    /// ``RecurrentStep``; `descending` (odd steps) walks the columns right to left, which
    /// changes no sum.
    static func recurrentColumns(m: Int, k: Int, columns: Range<Int>, a: UnsafePointer<Self>, lda: Int,
                                 w: UnsafePointer<Self>, ldw: Int, c: UnsafeMutablePointer<Self>, ldc: Int,
                                 descending: Bool)

    /// The product of one sequence's step: y (cols) += x (rows) · W (rows × cols, row stride
    /// `stride`), W read in place. ``VectorMatrix`` for `Float` (split across the pool and
    /// block order as `schedule` says; the results do not depend on it), a plain
    /// fused multiply-add chain per column for `Double`.
    static func vectorMatrix(_ x: UnsafePointer<Self>, _ w: UnsafePointer<Self>, rows: Int, cols: Int, stride: Int,
                             into y: UnsafeMutablePointer<Self>, schedule: VectorMatrix.Schedule)

    /// The products of `count` sequences' step at once: Y[r] (cols) += X[r] (rows) · W for
    /// r in 0..<count, X's rows `xStride` apart, Y's `yStride` apart, each row's result bit for
    /// bit ``vectorMatrix(_:_:rows:cols:stride:into:schedule:)``'s on that row. For `Float`
    /// ``VectorMatrix/accumulate(vectors:_:xStride:_:rows:cols:stride:into:yStride:schedule:)``
    /// (W read once per group of rows), for `Double` the plain chain row by row.
    static func vectorMatrixRows(count: Int, _ x: UnsafePointer<Self>, xStride: Int, _ w: UnsafePointer<Self>,
                                 rows: Int, cols: Int, stride: Int,
                                 into y: UnsafeMutablePointer<Self>, yStride: Int, schedule: VectorMatrix.Schedule)

    /// y[i] = tanh(x[i]) for i in 0..<count.
    static func tanh(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// y[i] = 1 / (1 + e^-x[i]) for i in 0..<count.
    static func sigmoid(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// y[i] = max(x[i], 0) for i in 0..<count.
    static func relu(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)

    /// Numerically stable softmax cross-entropy over `rows` rows of `cols` logits (row
    /// stride `cols`). Returns the *sum* of the row losses `-log softmax(row)[target]`,
    /// accumulated in `Double`. When `gradient` is non-nil it receives
    /// `scale · (softmax(row) − onehot(target))` (it may alias `logits`), and `columnSums`, when
    /// also given, is set to that gradient's column sums (cols; a bias's gradient).
    static func softmaxCrossEntropy(
        logits: UnsafePointer<Self>, rows: Int, cols: Int, targets: UnsafePointer<Int32>,
        gradient: UnsafeMutablePointer<Self>?, columnSums: UnsafeMutablePointer<Self>?, scale: Self) -> Double

    /// Σ x[i]², accumulated in `Double`.
    static func sumOfSquares(_ x: UnsafePointer<Self>, count: Int) -> Double
    /// x[i] *= factor.
    static func scale(_ x: UnsafeMutablePointer<Self>, count: Int, by factor: Self)
    /// y[i] += alpha · x[i] (BLAS axpy).
    static func axpy(_ alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
}

extension Float: TensorScalar {
    public typealias Block = SIMD16<Float>
    public static var dtypeName: String { "F32" }

    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    public static func recurrentColumns(m: Int, k: Int, columns: Range<Int>, a: UnsafePointer<Float>, lda: Int,
                                        w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                        descending: Bool) {
        guard !columns.isEmpty else { return }
        KernelSet.active.table.recurrentBlock(m, k, columns.lowerBound, columns.upperBound, a, lda, w, ldw, c, ldc,
                                              RecurrentProduct.hostTile == .rows8cols32, descending)
    }

    public static func vectorMatrix(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows: Int, cols: Int, stride: Int,
                                    into y: UnsafeMutablePointer<Float>, schedule: VectorMatrix.Schedule) {
        VectorMatrix.accumulate(x, w, rows: rows, cols: cols, stride: stride, into: y, schedule: schedule)
    }

    public static func vectorMatrixRows(count: Int, _ x: UnsafePointer<Float>, xStride: Int, _ w: UnsafePointer<Float>,
                                        rows: Int, cols: Int, stride: Int,
                                        into y: UnsafeMutablePointer<Float>, yStride: Int, schedule: VectorMatrix.Schedule) {
        VectorMatrix.accumulate(vectors: count, x, xStride: xStride, w, rows: rows, cols: cols, stride: stride,
                                into: y, yStride: yStride, schedule: schedule)
    }

    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        FloatKernels.tanh(x, y, count)
    }
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        FloatKernels.sigmoid(x, y, count)
    }
    public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ScalarLoops.relu(x, y, count)
    }
    public static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, rows: Int, cols: Int, targets: UnsafePointer<Int32>,
        gradient: UnsafeMutablePointer<Float>?, columnSums: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        FloatKernels.softmaxCrossEntropy(logits, rows, cols, targets, gradient, columnSums, scale)
    }
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        FloatKernels.sumOfSquares(x, count)
    }
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        ScalarLoops.scale(x, count, factor)
    }
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ScalarLoops.axpy(alpha, x, y, count)
    }
}

extension Double: TensorScalar {
    public typealias Block = Double
    public static var dtypeName: String { "F64" }

    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        BLAS.dgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    public static func recurrentColumns(m: Int, k: Int, columns: Range<Int>, a: UnsafePointer<Double>, lda: Int,
                                        w: UnsafePointer<Double>, ldw: Int, c: UnsafeMutablePointer<Double>, ldc: Int,
                                        descending: Bool) {
        guard !columns.isEmpty else { return }
        gemm(transposeA: false, transposeB: false, m: m, n: columns.count, k: k, alpha: 1, a: a, lda: lda,
             b: w + columns.lowerBound, ldb: ldw, beta: 1, c: c + columns.lowerBound, ldc: ldc)
    }

    public static func vectorMatrix(_ x: UnsafePointer<Double>, _ w: UnsafePointer<Double>, rows: Int, cols: Int, stride: Int,
                                    into y: UnsafeMutablePointer<Double>, schedule: VectorMatrix.Schedule) {
        ScalarLoops.vectorMatrix(x, w, rows, cols, stride, y)
    }

    public static func vectorMatrixRows(count: Int, _ x: UnsafePointer<Double>, xStride: Int, _ w: UnsafePointer<Double>,
                                        rows: Int, cols: Int, stride: Int,
                                        into y: UnsafeMutablePointer<Double>, yStride: Int, schedule: VectorMatrix.Schedule) {
        for r in 0..<count { ScalarLoops.vectorMatrix(x + r * xStride, w, rows, cols, stride, y + r * yStride) }
    }

    public static func tanh(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ScalarLoops.tanh(x, y, count)
    }
    public static func sigmoid(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ScalarLoops.sigmoid(x, y, count)
    }
    public static func relu(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ScalarLoops.relu(x, y, count)
    }
    public static func softmaxCrossEntropy(
        logits: UnsafePointer<Double>, rows: Int, cols: Int, targets: UnsafePointer<Int32>,
        gradient: UnsafeMutablePointer<Double>?, columnSums: UnsafeMutablePointer<Double>?, scale: Double
    ) -> Double {
        ScalarLoops.softmaxCrossEntropy(logits, rows, cols, targets, gradient, columnSums, scale)
    }
    public static func sumOfSquares(_ x: UnsafePointer<Double>, count: Int) -> Double {
        ScalarLoops.sumOfSquares(x, count)
    }
    public static func scale(_ x: UnsafeMutablePointer<Double>, count: Int, by factor: Double) {
        ScalarLoops.scale(x, count, factor)
    }
    public static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ScalarLoops.axpy(alpha, x, y, count)
    }
}
