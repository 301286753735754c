import LMTensor

/// AR and TAR (``ModelConfig/ActivationRegularization``) over a window's top-layer output, T
/// steps of `stepWidth` = B·H values each (t-major): their value, and their gradient added in
/// place to the output's gradient. Nothing is allocated.
enum ActivationRegularizer {
    /// α · mean(D²) over the `count` values of D (0 when α is 0).
    static func arLoss<Scalar: TensorScalar>(_ alpha: Double, values: UnsafePointer<Scalar>, count: Int) -> Double {
        guard alpha > 0, count > 0 else { return 0 }
        return alpha * Scalar.sumOfSquares(values, count: count) / Double(count)
    }

    /// β · mean((R_{t+1} − R_t)²) over the (T − 1)·`stepWidth` differences (0 when β is 0 or T is 1).
    static func tarLoss<Scalar: TensorScalar>(_ beta: Double, values: UnsafePointer<Scalar>, steps: Int, stepWidth: Int) -> Double {
        guard beta > 0, steps > 1, stepWidth > 0 else { return 0 }
        let n = (steps - 1) * stepWidth
        var sum = 0.0
        for i in 0..<n {
            let d = Double(values[i + stepWidth]) - Double(values[i])
            sum += d * d
        }
        return beta * sum / Double(n)
    }

    /// dD += 2α/N · D, the gradient of ``arLoss(_:values:count:)`` (N = `count`).
    static func addARGradient<Scalar: TensorScalar>(_ alpha: Double, values: UnsafePointer<Scalar>,
                                                    into gradient: UnsafeMutablePointer<Scalar>, count: Int, fault: BackwardFault) {
        guard alpha > 0, count > 0 else { return }
        let k = Scalar((fault == .halfARGradient ? 1 : 2) * alpha / Double(count))
        Scalar.axpy(k, values, gradient, count: count)
    }

    /// dR_t += 2β/N · ((R_t − R_{t−1}) − (R_{t+1} − R_t)), the gradient of
    /// ``tarLoss(_:values:steps:stepWidth:)`` (N = (T − 1)·`stepWidth`; the first step has no
    /// R_{t−1} term, the last no R_{t+1} term).
    static func addTARGradient<Scalar: TensorScalar>(_ beta: Double, values: UnsafePointer<Scalar>,
                                                     into gradient: UnsafeMutablePointer<Scalar>, steps: Int, stepWidth: Int,
                                                     fault: BackwardFault) {
        guard beta > 0, steps > 1, stepWidth > 0 else { return }
        let k = Scalar(2 * beta / Double((steps - 1) * stepWidth))
        let oneSided = fault == .oneSidedTARGradient
        for t in 0..<(steps - 1) {
            let r = values + t * stepWidth, next = r + stepWidth
            let g = gradient + t * stepWidth, gNext = g + stepWidth
            for j in 0..<stepWidth {
                let d = k * (next[j] - r[j])
                gNext[j] += d
                if !oneSided { g[j] -= d }
            }
        }
    }
}
