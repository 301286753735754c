import Foundation

/// Plain-loop twins of LMTensor's kernels, written for clarity, not speed: the tests compare
/// every fast kernel against these. All arithmetic is in `Double`.
public enum Reference {
    /// `op(A) · op(B)` with triple loops; shapes as in ``Matrix/product(_:_:transposeA:transposeB:)``.
    public static func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let m = a.count, k = b.count, n = b.first?.count ?? 0
        var c = Array(repeating: Array(repeating: 0.0, count: n), count: m)
        for i in 0..<m { for j in 0..<n { var s = 0.0; for p in 0..<k { s += a[i][p] * b[p][j] }; c[i][j] = s } }
        return c
    }

    /// Matrix product of two matrices of any scalar type, computed in `Double`.
    public static func product<T: TensorScalar>(_ a: Matrix<T>, _ b: Matrix<T>, transposeA: Bool = false, transposeB: Bool = false) -> Matrix<Double> {
        let aa = transposeA ? a.transposed() : a
        let bb = transposeB ? b.transposed() : b
        var c = Matrix<Double>(rows: aa.rows, cols: bb.cols)
        for i in 0..<aa.rows {
            for j in 0..<bb.cols {
                var s = 0.0
                for p in 0..<aa.cols { s += Double(aa[i, p]) * Double(bb[p, j]) }
                c[i, j] = s
            }
        }
        return c
    }

    /// tanh(x).
    public static func tanh(_ x: [Double]) -> [Double] { x.map { Foundation.tanh($0) } }
    /// 1 / (1 + e^−x).
    public static func sigmoid(_ x: [Double]) -> [Double] { x.map { 1 / (1 + Foundation.exp(-$0)) } }
    /// max(x, 0).
    public static func relu(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }
    /// d tanh / dx = 1 − tanh²(x).
    public static func tanhDerivative(_ x: [Double]) -> [Double] { x.map { 1 - Foundation.tanh($0) * Foundation.tanh($0) } }
    /// dσ/dx = σ(x)(1 − σ(x)).
    public static func sigmoidDerivative(_ x: [Double]) -> [Double] { sigmoid(x).map { $0 * (1 - $0) } }
    /// d relu / dx: 1 for x > 0, else 0.
    public static func reluDerivative(_ x: [Double]) -> [Double] { x.map { $0 > 0 ? 1 : 0 } }

    /// Mean softmax cross-entropy, the textbook way (softmax, then −log of the target's
    /// probability; no max shift, so only for moderate logits), with the gradient
    /// (softmax − onehot) / rows.
    public static func softmaxCrossEntropy(logits: [[Double]], targets: [Int]) -> (loss: Double, gradient: [[Double]]) {
        var loss = 0.0
        var grad: [[Double]] = []
        let n = Double(logits.count)
        for (row, t) in zip(logits, targets) {
            let e = row.map { Foundation.exp($0) }
            let s = e.reduce(0, +)
            let p = e.map { $0 / s }
            loss += -Foundation.log(p[t])
            var g = p.map { $0 / n }
            g[t] -= 1 / n
            grad.append(g)
        }
        return (loss / n, grad)
    }

    /// Global-norm clipping on plain arrays: returns the clipped gradients and the norm.
    public static func clip(_ gradients: [[Double]], maxNorm: Double) -> (clipped: [[Double]], norm: Double) {
        var sq = 0.0
        for g in gradients { for v in g { sq += v * v } }
        let norm = sq.squareRoot()
        guard norm > maxNorm else { return (gradients, norm) }
        return (gradients.map { $0.map { $0 * maxNorm / norm } }, norm)
    }
}
