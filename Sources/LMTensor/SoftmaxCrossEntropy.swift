/// Softmax cross-entropy over rows of logits, with its gradient.
///
/// For each row r with target t: loss_r = log Σ_j e^{z_rj − m} − (z_rt − m), m = max_j z_rj
/// (the max shift keeps every exponent ≤ 0, so no overflow for any finite logits). The
/// gradient with respect to the logits is softmax(z_r) − onehot(t).
public enum SoftmaxCrossEntropy {
    /// Mean cross-entropy of `logits` (rows × cols, row-major) against `targets` (one class
    /// index per row, each in 0..<cols). When `gradient` is given it receives
    /// ∂mean/∂logits = (softmax − onehot) / rows; it may be the logits buffer itself.
    ///
    /// - Returns: the mean loss in nats, computed in `Double`.
    @inlinable
    public static func meanLoss<T: TensorScalar>(
        logits: UnsafePointer<T>, rows: Int, cols: Int, targets: UnsafePointer<Int32>,
        gradient: UnsafeMutablePointer<T>? = nil
    ) -> Double {
        guard rows > 0 else { return 0 }
        let sum = T.softmaxCrossEntropy(logits: logits, rows: rows, cols: cols, targets: targets,
                                        gradient: gradient, scale: 1 / T(rows))
        return sum / Double(rows)
    }

    /// Mean cross-entropy of a logits matrix against `targets` (count == rows), with the
    /// gradient returned as a matrix of the same shape.
    public static func meanLoss<T: TensorScalar>(
        logits: Matrix<T>, targets: [Int32]
    ) throws -> (loss: Double, gradient: Matrix<T>) {
        guard targets.count == logits.rows else {
            throw TensorError.shapeMismatch("softmax cross-entropy: \(targets.count) targets for \(logits.rows) rows")
        }
        for t in targets where t < 0 || Int(t) >= logits.cols {
            throw TensorError.indexOutOfRange("softmax cross-entropy: target \(t) outside 0..<\(logits.cols)")
        }
        var gradient = Matrix<T>(rows: logits.rows, cols: logits.cols)
        let loss = logits.storage.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { t in
                gradient.storage.withUnsafeMutableBufferPointer { g in
                    meanLoss(logits: l.baseAddress!, rows: logits.rows, cols: logits.cols,
                             targets: t.baseAddress!, gradient: g.baseAddress!)
                }
            }
        }
        return (loss, gradient)
    }
}

extension Kernels {
    @inline(__always)
    static func softmaxCrossEntropy<T: TensorScalar>(
        _ logits: UnsafePointer<T>, _ rows: Int, _ cols: Int, _ targets: UnsafePointer<Int32>,
        _ gradient: UnsafeMutablePointer<T>?, _ scale: T
    ) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let z = logits + r * cols
            var m = z[0]
            for j in 1..<cols where z[j] > m { m = z[j] }
            var s: T = 0
            if let g = gradient {
                let gr = g + r * cols
                for j in 0..<cols { let e = T.exp(z[j] - m); gr[j] = e; s += e }
                let target = Int(targets[r])
                total += Double(T.log(s)) - Double(z[target] - m)
                let inv = scale / s
                for j in 0..<cols { gr[j] *= inv }
                gr[target] -= scale
            } else {
                for j in 0..<cols { s += T.exp(z[j] - m) }
                total += Double(T.log(s)) - Double(z[Int(targets[r])] - m)
            }
        }
        return total
    }
}

extension VectorMath {
    /// The `Float` softmax cross-entropy: as the generic kernel, with the exponentials from
    /// the vectorisable `expClamped` (shifted logits are ≤ 0; below −87 they are flushed to
    /// e^−87 ≈ 1.6e-38, which changes no sum) instead of one libm call per logit.
    static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ targets: UnsafePointer<Int32>,
        _ gradient: UnsafeMutablePointer<Float>?, _ scale: Float
    ) -> Double {
        guard let g = gradient, UnsafePointer(g) != logits else {
            return Kernels.softmaxCrossEntropy(logits, rows, cols, targets, gradient, scale)
        }
        var total = 0.0
        for r in 0..<rows {
            let z = logits + r * cols, gr = g + r * cols
            var m = z[0]
            for j in 1..<cols { m = z[j] > m ? z[j] : m }
            var s: Float = 0
            for j in 0..<cols {
                let d = z[j] - m
                let e = expClamped(d < -87 ? -87 : d)
                gr[j] = e
                s += e
            }
            let target = Int(targets[r])
            total += Double(Float.log(s)) - Double(z[target] - m)
            let inv = scale / s
            for j in 0..<cols { gr[j] *= inv }
            gr[target] -= scale
        }
        return total
    }
}
