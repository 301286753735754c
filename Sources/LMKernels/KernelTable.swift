/// One instruction set's compiled kernels, as C function pointers: LMKernelsAVX2 and
/// LMKernelsAVX512 each build one from the same inlined source (``RecurrentTiles``,
/// ``VectorMatrixKernels``), compiled for their CPU, and LMTensor's `KernelSet` picks one per
/// process. A kernel call is one indirect call; no element-level work goes through the table.
public struct KernelTable: Sendable {
    /// `RecurrentTiles.block`: C[0..<m, lo..<hi] += A (m × k, lda) · W[0..<k, lo..<hi] (ldw),
    /// C's row stride ldc; 8 × 32 tiles when `wide32`; strips right to left when `descending`.
    public typealias RecurrentBlock = @convention(c) (
        _ m: Int, _ k: Int, _ lo: Int, _ hi: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ ldw: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ wide32: Bool, _ descending: Bool
    ) -> Void
    /// `VectorMatrixKernels.wide`: y (n) += x (k) · W (k × n, row stride `stride`), 256-column
    /// blocks last to first when `backwards`.
    public typealias VectorMatrixWide = @convention(c) (
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ k: Int, _ n: Int, _ stride: Int,
        _ y: UnsafeMutablePointer<Float>, _ backwards: Bool
    ) -> Void
    /// `VectorMatrixKernels.narrow`: y (n) += x (k) · W (k × n, row stride `stride`).
    public typealias VectorMatrixNarrow = @convention(c) (
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ k: Int, _ n: Int, _ stride: Int, _ y: UnsafeMutablePointer<Float>
    ) -> Void

    public let recurrentBlock: RecurrentBlock
    public let vectorMatrixWide: VectorMatrixWide
    public let vectorMatrixNarrow: VectorMatrixNarrow

    /// A table of one instruction set's kernels.
    public init(recurrentBlock: RecurrentBlock, vectorMatrixWide: VectorMatrixWide, vectorMatrixNarrow: VectorMatrixNarrow) {
        self.recurrentBlock = recurrentBlock
        self.vectorMatrixWide = vectorMatrixWide
        self.vectorMatrixNarrow = vectorMatrixNarrow
    }
}
