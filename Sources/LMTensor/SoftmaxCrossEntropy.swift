import LMKernels
/// Softmax cross-entropy over rows of logits, with its gradient.
///
/// For each row r with target t: loss_r = log Σ_j e^{z_rj − m} − (z_rt − m), m = max_j z_rj
/// (the max shift keeps every exponent ≤ 0, so no overflow for any finite logits). The
/// gradient with respect to the logits is softmax(z_r) − onehot(t).
public enum SoftmaxCrossEntropy {
    /// Mean cross-entropy of `logits` (rows × cols, row-major) against `targets` (one class
    /// index per row, each in 0..<cols). When `gradient` is given it receives
    /// ∂mean/∂logits = (softmax − onehot) / rows; it may be the logits buffer itself. When
    /// `columnSums` is given too, it is set to that gradient's column sums (cols elements: the
    /// gradient of a bias added to every row), computed in the same pass over the rows.
    ///
    /// - Returns: the mean loss in nats, computed in `Double`.
    @inlinable
    public static func meanLoss<T: TensorScalar>(
        logits: UnsafePointer<T>, rows: Int, cols: Int, targets: UnsafePointer<Int32>,
        gradient: UnsafeMutablePointer<T>? = nil, columnSums: UnsafeMutablePointer<T>? = nil
    ) -> Double {
        guard rows > 0 else {
            columnSums?.update(repeating: 0, count: cols)
            return 0
        }
        let sum = T.softmaxCrossEntropy(logits: logits, rows: rows, cols: cols, targets: targets,
                                        gradient: gradient, columnSums: gradient == nil ? nil : columnSums,
                                        scale: 1 / T(rows))
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

extension ScalarLoops {
    @inline(__always)
    static func softmaxCrossEntropy<T: TensorScalar>(
        _ logits: UnsafePointer<T>, _ rows: Int, _ cols: Int, _ targets: UnsafePointer<Int32>,
        _ gradient: UnsafeMutablePointer<T>?, _ columnSums: UnsafeMutablePointer<T>?, _ scale: T
    ) -> Double {
        var total = 0.0
        defer {
            if let g = gradient, let sums = columnSums {
                for j in 0..<cols {
                    var s: T = 0
                    for r in 0..<rows { s += g[r * cols + j] }
                    sums[j] = s
                }
            }
        }
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

extension FloatKernels {
    /// Rows per block of the `Float` softmax cross-entropy: the unit of work on the pool, and of
    /// the column sums (each block's rows summed in order, then the blocks in order).
    static let softmaxBlockRows = 32

    /// The `Float` softmax cross-entropy: the generic kernel's arithmetic, row by row on 16
    /// SIMD lanes (the max by compare and blend, then e^{z − m} from ``exp16(_:)`` with shifted logits below −87
    /// flushed to e^−87 ≈ 1.6e-38, which changes no sum, summed in 16 partial sums), in blocks
    /// of ``softmaxBlockRows`` rows claimed by the threads of ``WorkerPool/shared``. Each row's
    /// loss goes to its own slot and the slots are summed in row order; `columnSums` (with
    /// `gradient`) adds each block's gradient rows, still in cache, into that block's own
    /// partial sums, and the partials are added in block order: neither result depends on the
    /// number of threads. `gradient` may be the logits buffer itself. NaN logits give a NaN
    /// loss, as the generic kernel does.
    static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ targets: UnsafePointer<Int32>,
        _ gradient: UnsafeMutablePointer<Float>?, _ columnSums: UnsafeMutablePointer<Float>?, _ scale: Float
    ) -> Double {
        let size = softmaxBlockRows, blocks = (rows + size - 1) / size
        let sums = gradient == nil ? nil : columnSums
        // Scratch kept between calls (a training step allocates nothing): the per-row losses,
        // then, when the column sums are asked for, the per-block partial sums.
        return ScratchMemory.shared.borrow(Float.self, count: 2 * rows + (sums == nil ? 0 : blocks * cols)) { scratch in
            let losses = UnsafeMutableRawPointer(scratch).bindMemory(to: Double.self, capacity: rows)
            let partials = sums == nil ? nil : scratch + 2 * rows
            if blocks > 1 && rows * cols >= WorkerPool.shared.elementThreshold {
                WorkerPool.shared.run(parts: blocks) { b in
                    lossBlock(b, size, rows, cols, logits, targets, gradient, partials, losses, scale)
                }
            } else {
                for b in 0..<blocks { lossBlock(b, size, rows, cols, logits, targets, gradient, partials, losses, scale) }
            }
            if let sums, let p = partials {
                sums.update(from: p, count: cols)
                WorkerPool.shared.parallelColumns(cols, rows: blocks) { columns in
                    for b in 1..<max(1, blocks) {
                        let row = p + b * cols
                        for j in columns { sums[j] += row[j] }
                    }
                }
            }
            var total = 0.0
            for r in 0..<rows { total += losses[r] }
            return total
        }
    }

    /// Block `b` (rows b·size ..< (b + 1)·size) of ``softmaxCrossEntropy(_:_:_:_:_:_:_:)``: each
    /// row's loss into `losses`, its gradient (when `gradient` is given), and the block's
    /// gradient rows summed into row `b` of `partials` (when given).
    @inline(__always)
    static func lossBlock(_ b: Int, _ size: Int, _ rows: Int, _ cols: Int, _ logits: UnsafePointer<Float>,
                          _ targets: UnsafePointer<Int32>, _ gradient: UnsafeMutablePointer<Float>?,
                          _ partials: UnsafeMutablePointer<Float>?, _ losses: UnsafeMutablePointer<Double>, _ scale: Float) {
        for r in b * size..<min(rows, (b + 1) * size) {
            let g = gradient.map { $0 + r * cols }
            losses[r] = softmaxCrossEntropyRow(logits + r * cols, g, cols, Int(targets[r]), scale)
            if let p = partials, let g {
                let row = p + b * cols
                if r == b * size { row.update(from: g, count: cols) } else { addRow(g, to: row, cols) }
            }
        }
    }

    /// y[0..<n] += x[0..<n], 16 lanes at a time.
    @inline(__always)
    static func addRow(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, _ n: Int) {
        var j = 0
        while j + 16 <= n { store16(load16(y + j) + load16(x + j), y + j); j += 16 }
        while j < n { y[j] += x[j]; j += 1 }
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
