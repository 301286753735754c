import LMTensor

/// The dense output head of a ``RecurrentLM``: logits = H · W_hq + b_q over all T·B rows of
/// a window at once, with the mean softmax cross-entropy against the next tokens and its
/// gradient.
public final class OutputLayer<Scalar: TensorScalar>: NetworkHead {
    /// Hidden width H (rows of W_hq).
    public let inputSize: Int
    /// Vocabulary size V (logits per row).
    public let outputSize: Int
    /// `output.W_hq`, H × V.
    public let weight: Parameter<Scalar>
    /// `output.b_q`, 1 × V.
    public let bias: Parameter<Scalar>
    private(set) var rows = 0
    private(set) var logits = Buffer<Scalar>(count: 0)
    private(set) var logitGradients = Buffer<Scalar>(count: 0)

    /// A head from H hidden units to V logits, zero-initialised.
    public init(inputSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(name: "output.W_hq", rows: inputSize, cols: outputSize)
        bias = Parameter(name: "output.b_q", rows: 1, cols: outputSize, vector: true)
    }

    /// The head `configuration` describes (hidden width to vocabulary).
    public convenience init(configuration: ModelConfig) {
        self.init(inputSize: configuration.hiddenSize, outputSize: configuration.vocabularySize)
    }

    /// W_hq and b_q.
    public var parameters: [Parameter<Scalar>] { [weight, bias] }

    /// Throws unless `targets` are `steps × batch` ids in the vocabulary.
    public func validate(_ targets: [Int32], steps: Int, batch: Int) throws {
        try InputLayer<Scalar>.check(targets, steps: steps, batch: batch, vocabularySize: outputSize, what: "targets")
    }

    /// logits (T·B × V) = hidden (T·B × H) · W_hq + b_q.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        let v = outputSize, n = steps * batch
        if n != rows {
            rows = n
            logits = Buffer(count: n * v)
            logitGradients = Buffer(count: n * v)
        }
        let l = logits.pointer, b = bias.value.pointer
        for r in 0..<n { (l + r * v).update(from: b, count: v) }
        Scalar.gemm(transposeA: false, transposeB: false, m: n, n: v, k: inputSize, alpha: 1,
                    a: hidden, lda: inputSize, b: weight.value.pointer, ldb: v, beta: 1, c: l, ldc: v)
    }

    /// Mean cross-entropy of the last logits against `targets` (nats); stores its gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32]) -> Double {
        targets.withUnsafeBufferPointer {
            SoftmaxCrossEntropy.meanLoss(logits: logits.pointer, rows: rows, cols: outputSize,
                                         targets: $0.baseAddress!, gradient: logitGradients.pointer)
        }
    }

    /// Accumulates W_hq and b_q gradients and writes ∂loss/∂hidden (beta 0).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        let v = outputSize, n = rows, dl = logitGradients.pointer, db = bias.gradient.pointer
        for r in 0..<n {
            let g = dl + r * v
            for j in 0..<v { db[j] += g[j] }
        }
        Scalar.gemm(transposeA: true, transposeB: false, m: inputSize, n: v, k: n, alpha: 1,
                    a: hidden, lda: inputSize, b: dl, ldb: v, beta: 1, c: weight.gradient.pointer, ldc: v)
        Scalar.gemm(transposeA: false, transposeB: true, m: n, n: inputSize, k: v, alpha: 1,
                    a: dl, lda: v, b: weight.value.pointer, ldb: v, beta: 0, c: hiddenGradient, ldc: inputSize)
    }
}
