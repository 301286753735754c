/// Out-of-place matrix transposition, for the weights a kernel reads transposed.
public enum Transposition {
    /// dst (cols × rows) = srcᵀ, src rows × cols, both row-major and dense: blocks of 16 × 16
    /// keep both sides in cache, destination row blocks split across ``WorkerPool/shared``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func transpose<T: TensorScalar>(_ src: UnsafePointer<T>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<T>) {
        WorkerPool.shared.parallelRows((cols + 15) / 16, width: 16 * rows) { blocks in
            for jb in blocks {
                let j0 = jb * 16, j1 = min(j0 + 16, cols)
                var i0 = 0
                while i0 < rows {
                    let i1 = min(i0 + 16, rows)
                    for j in j0..<j1 {
                        let d = dst + j * rows
                        for i in i0..<i1 { d[i] = src[i * cols + j] }
                    }
                    i0 = i1
                }
            }
        }
    }
}
