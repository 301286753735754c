/// Global-norm gradient clipping, as d2l's `grad_clipping`: with g the concatenation of all
/// gradients and θ the threshold, g ← g · θ / ‖g‖₂ when ‖g‖₂ > θ.
public enum GradientClipping {
    /// Elements per part of a buffer's sum of squares: parts are summed on the worker pool and
    /// added in order, so the norm does not depend on the thread count.
    static let part = 1 << 16

    /// The global L2 norm of several buffers taken as one vector (accumulated in `Double`).
    public static func globalNorm<T: TensorScalar>(_ buffers: [UnsafeMutableBufferPointer<T>]) -> Double {
        var sum = 0.0
        for b in buffers where b.count > 0 { sum += sumOfSquares(b) }
        return sum.squareRoot()
    }

    /// Σ b[i]² in parts of ``part`` elements, split across the worker pool, added in order.
    static func sumOfSquares<T: TensorScalar>(_ b: UnsafeMutableBufferPointer<T>) -> Double {
        let x = UnsafePointer(b.baseAddress!), n = b.count, size = part
        let parts = (n + size - 1) / size
        if parts == 1 { return T.sumOfSquares(x, count: n) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: parts) { partial in
            let sums = partial.baseAddress!
            WorkerPool.shared.parallelRows(parts, width: size) { block in
                for i in block { sums[i] = T.sumOfSquares(x + i * size, count: min(size, n - i * size)) }
            }
            var total = 0.0
            for i in 0..<parts { total += sums[i] }
            return total
        }
    }

    /// Scales every buffer by θ / ‖g‖ when the global norm ‖g‖ exceeds `maxNorm` (θ).
    ///
    /// - Returns: the norm before clipping (useful for logging exploding gradients).
    @discardableResult
    public static func clip<T: TensorScalar>(_ buffers: [UnsafeMutableBufferPointer<T>], maxNorm: Double) -> Double {
        let norm = globalNorm(buffers)
        if norm > maxNorm {
            let factor = T(maxNorm / norm)
            for b in buffers where b.count > 0 {
                let x = b.baseAddress!, n = b.count, size = part
                WorkerPool.shared.parallelRows((n + size - 1) / size, width: size) { block in
                    for i in block { T.scale(x + i * size, count: min(size, n - i * size), by: factor) }
                }
            }
        }
        return norm
    }
}
