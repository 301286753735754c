/// Global-norm gradient clipping, as d2l's `grad_clipping`: with g the concatenation of all
/// gradients and θ the threshold, g ← g · θ / ‖g‖₂ when ‖g‖₂ > θ.
public enum GradientClipping {
    /// The global L2 norm of several buffers taken as one vector (accumulated in `Double`).
    public static func globalNorm<T: TensorScalar>(_ buffers: [UnsafeMutableBufferPointer<T>]) -> Double {
        var sum = 0.0
        for b in buffers where b.count > 0 { sum += T.sumOfSquares(b.baseAddress!, count: b.count) }
        return sum.squareRoot()
    }

    /// Scales every buffer by θ / ‖g‖ when the global norm ‖g‖ exceeds `maxNorm` (θ).
    ///
    /// - Returns: the norm before clipping (useful for logging exploding gradients).
    @discardableResult
    public static func clip<T: TensorScalar>(_ buffers: [UnsafeMutableBufferPointer<T>], maxNorm: Double) -> Double {
        let norm = globalNorm(buffers)
        if norm > maxNorm {
            let factor = T(maxNorm / norm)
            for b in buffers where b.count > 0 { T.scale(b.baseAddress!, count: b.count, by: factor) }
        }
        return norm
    }
}
