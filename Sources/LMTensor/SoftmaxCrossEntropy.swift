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
            let target = Int(targets[r])
            let shiftedTarget = z[target] - m   // read before an in-place gradient overwrites it
            if let g = gradient {
                let gr = g + r * cols
                for j in 0..<cols { let e = T.exp(z[j] - m); gr[j] = e; s += e }
                total += Double(T.log(s)) - Double(shiftedTarget)
                let inv = scale / s
                for j in 0..<cols { gr[j] *= inv }
                gr[target] -= scale
            } else {
                for j in 0..<cols { s += T.exp(z[j] - m) }
                total += Double(T.log(s)) - Double(shiftedTarget)
            }
        }
        return total
    }
}

extension VectorMath {
    /// The `Float` softmax cross-entropy: the generic kernel's arithmetic, row by row on 16
    /// SIMD lanes (the max by compare and blend, then e^{z − m} from ``exp16(_:)`` with shifted logits below −87
    /// flushed to e^−87 ≈ 1.6e-38, which changes no sum, summed in 16 partial sums), rows
    /// split across ``WorkerPool/shared``. Each row's loss goes to its own slot and the slots
    /// are summed in row order, so the result does not depend on the number of threads.
    /// `gradient` may be the logits buffer itself. NaN logits give a NaN loss, as the generic
    /// kernel does.
    static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ targets: UnsafePointer<Int32>,
        _ gradient: UnsafeMutablePointer<Float>?, _ scale: Float
    ) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { rowLoss in
            let losses = rowLoss.baseAddress!
            WorkerPool.shared.parallelRows(rows, width: cols) { block in
                for r in block {
                    losses[r] = softmaxCrossEntropyRow(logits + r * cols, gradient.map { $0 + r * cols }, cols,
                                                       Int(targets[r]), scale)
                }
            }
            var total = 0.0
            for r in 0..<rows { total += losses[r] }
            return total
        }
    }

    /// One row of ``softmaxCrossEntropy(_:_:_:_:_:_:)``: returns log Σ e^{z − m} − (z_t − m) and,
    /// when `g` is given, writes (softmax − onehot(t)) · scale there (g may be z).
    @inline(__always)
    static func softmaxCrossEntropyRow(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>?, _ n: Int,
                                       _ target: Int, _ scale: Float) -> Double {
        var mv = V16(repeating: -.infinity)
        var j = 0
        while j + 16 <= n { let x = load16(z + j); mv = mv.replacing(with: x, where: mv .< x); j += 16 }
        var m = mv.max()
        while j < n { m = z[j] > m ? z[j] : m; j += 1 }
        let shiftedTarget = z[target] - m
        let mm = V16(repeating: m), floor = V16(repeating: -87)
        var sv = V16(repeating: 0)
        var s: Float = 0
        j = 0
        if let g {
            while j + 16 <= n {
                let d = load16(z + j) - mm
                let e = exp16(d.replacing(with: floor, where: d .< floor))
                store16(e, g + j)
                sv += e
                j += 16
            }
            while j < n { let d = z[j] - m; let e = expClamped(d < -87 ? -87 : d); g[j] = e; s += e; j += 1 }
            s += sv.sum()
            let inv = scale / s, iv = V16(repeating: inv)
            j = 0
            while j + 16 <= n { store16(load16(g + j) * iv, g + j); j += 16 }
            while j < n { g[j] *= inv; j += 1 }
            g[target] -= scale
        } else {
            while j + 16 <= n {
                let d = load16(z + j) - mm
                sv += exp16(d.replacing(with: floor, where: d .< floor))
                j += 16
            }
            while j < n { let d = z[j] - m; s += expClamped(d < -87 ? -87 : d); j += 1 }
            s += sv.sum()
        }
        return Double(Float.log(s)) - Double(shiftedTarget)
    }
}
