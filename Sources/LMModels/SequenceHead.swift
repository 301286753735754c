import LMTensor

/// The dense head of a ``SequenceModel``, `y = h · W_hy + b_y` with O outputs, read from
/// the top layer's last step (``SequenceModelConfig/Head/regression``, mean squared error)
/// or from every step through the logistic sigmoid (``SequenceModelConfig/Head/logistic``,
/// mean binary cross-entropy).
///
/// Targets are `batch × O` (regression: one value per sequence and output) or
/// `steps·batch × O` t-major (logistic: one 0/1 label per step).
public final class SequenceHead<Scalar: TensorScalar>: NetworkHead {
    /// What the head reads and which loss it minimises.
    public let kind: SequenceModelConfig.Head
    /// Hidden width H.
    public let hiddenSize: Int
    /// Outputs per prediction O.
    public let outputSize: Int
    /// `head.W_hy`, H × O.
    public let weight: Parameter<Scalar>
    /// `head.b_y`, 1 × O.
    public let bias: Parameter<Scalar>

    private var steps = 0, batch = 0
    /// Pre-activations (regression: the predictions), B × O or T·B × O.
    private var logits = Buffer<Scalar>(count: 0)
    /// Logistic: σ(logits); regression: unused.
    private var probabilities = Buffer<Scalar>(count: 0)
    /// ∂loss/∂logits, same shape as `logits`.
    private var logitGradients = Buffer<Scalar>(count: 0)

    /// A head from H hidden units to O outputs, zero-initialised.
    public init(kind: SequenceModelConfig.Head, hiddenSize: Int, outputSize: Int) {
        self.kind = kind
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
        weight = Parameter(name: "head.W_hy", rows: hiddenSize, cols: outputSize)
        bias = Parameter(name: "head.b_y", rows: 1, cols: outputSize, vector: true)
    }

    /// The head `configuration` describes.
    public convenience init(configuration: SequenceModelConfig) {
        self.init(kind: configuration.head, hiddenSize: configuration.hiddenSize, outputSize: configuration.outputSize)
    }

    /// W_hy and b_y.
    public var parameters: [Parameter<Scalar>] { [weight, bias] }

    /// Rows the head produces for a window: `batch` (regression) or `steps·batch` (logistic).
    public func predictionRows(steps: Int, batch: Int) -> Int {
        kind == .regression ? batch : steps * batch
    }

    /// Throws unless there are ``predictionRows(steps:batch:)`` × O targets.
    public func validate(_ targets: [Scalar], steps: Int, batch: Int) throws {
        let rows = predictionRows(steps: steps, batch: batch)
        guard targets.count == rows * outputSize else {
            throw ModelError.shapeMismatch("\(targets.count) targets for \(rows) predictions of \(outputSize) outputs "
                + (kind == .regression ? "(regression: one row per sequence)" : "(logistic: one row per step and sequence)"))
        }
    }

    /// The hidden rows the head reads: the last step's (regression) or every step's.
    private func headInput(_ hidden: UnsafePointer<Scalar>) -> UnsafePointer<Scalar> {
        kind == .regression ? hidden + (steps - 1) * batch * hiddenSize : hidden
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        let o = outputSize, h = hiddenSize
        let rows = predictionRows(steps: steps, batch: batch)
        if steps != self.steps || batch != self.batch {
            logits = Buffer(count: rows * o)
            probabilities = Buffer(count: kind == .logistic ? rows * o : 0)
            logitGradients = Buffer(count: rows * o)
            self.steps = steps
            self.batch = batch
        }
        let z = logits.pointer, b = bias.value.pointer
        for r in 0..<rows { (z + r * o).update(from: b, count: o) }
        Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: o, k: h, alpha: 1,
                    a: headInput(hidden), lda: h, b: weight.value.pointer, ldb: o, beta: 1, c: z, ldc: o)
        if kind == .logistic { Scalar.sigmoid(z, probabilities.pointer, count: rows * o) }
    }

    /// MSE (regression) or binary cross-entropy in nats (logistic), averaged over every output.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Scalar]) -> Double {
        let n = predictionRows(steps: steps, batch: batch) * outputSize
        let z = logits.pointer, dz = logitGradients.pointer
        var total = 0.0
        switch kind {
        case .regression:
            let scale = 2 / Scalar(n)
            for i in 0..<n {
                let d = z[i] - targets[i]
                total += Double(d * d)
                dz[i] = scale * d
            }
        case .logistic:
            let p = probabilities.pointer, scale = 1 / Scalar(n)
            for i in 0..<n {
                // −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − y·z + log(1 + e^{−|z|}).
                let zi = z[i], y = targets[i]
                total += Double(max(zi, 0) - y * zi + Scalar.log(1 + Scalar.exp(-abs(zi))))
                dz[i] = scale * (p[i] - y)
            }
        }
        return total / Double(n)
    }

    /// Accumulates W_hy and b_y gradients and writes ∂loss/∂hidden: zero for every step but
    /// the last (regression), or every step's (logistic).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        let h = hiddenSize, o = outputSize, rows = predictionRows(steps: steps, batch: batch)
        let dz = logitGradients.pointer, db = bias.gradient.pointer
        for r in 0..<rows {
            let g = dz + r * o
            for j in 0..<o { db[j] += g[j] }
        }
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: o, k: rows, alpha: 1,
                    a: headInput(hidden), lda: h, b: dz, ldb: o, beta: 1, c: weight.gradient.pointer, ldc: o)
        var dh = hiddenGradient
        if kind == .regression {
            dh.update(repeating: 0, count: (steps - 1) * batch * h)
            dh += (steps - 1) * batch * h
        }
        Scalar.gemm(transposeA: false, transposeB: true, m: rows, n: h, k: o, alpha: 1,
                    a: dz, lda: o, b: weight.value.pointer, ldb: o, beta: 0, c: dh, ldc: h)
    }

    /// The last forward's predictions (a copy): regression values, `batch × O`; or logistic
    /// probabilities σ(z), `steps·batch × O` t-major.
    public var predictions: [Scalar] {
        let n = predictionRows(steps: steps, batch: batch) * outputSize
        let source = kind == .logistic ? probabilities.pointer : logits.pointer
        return Array(UnsafeBufferPointer(start: source, count: n))
    }
}
