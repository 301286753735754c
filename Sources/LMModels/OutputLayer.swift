import LMSettings
import LMTensor

/// The dense output head of a ``RecurrentLM``: logits = H · W_hq + b_q over all T·B rows of
/// a window at once, with the mean softmax cross-entropy against the next tokens and its
/// gradient.
///
/// Tied (``ModelConfig/tied``, Press & Wolf 2017): the head's weight is the input's
/// embedding E (V × H, shared, not copied), logits = H · Eᵀ + b_q, one product with the
/// transpose flag; the backward adds dE += dLᵀ · H to the embedding's gradient, where the
/// input layer's scatter-add also lands, and ∂H = dL · E.
public final class OutputLayer<Scalar: TensorScalar>: NetworkHead {
    /// Hidden width H (rows of W_hq).
    public let inputSize: Int
    /// Vocabulary size V (logits per row).
    public let outputSize: Int
    /// `output.W_hq`, H × V; tied, the embedding `embedding.W` itself, V × H (see ``isTied``).
    public let weight: Parameter<Scalar>
    /// `output.b_q`, 1 × V.
    public let bias: Parameter<Scalar>
    /// Whether ``weight`` is the input's embedding (V × H, read transposed).
    public let isTied: Bool
    /// Test hook: ``BackwardFault/dropTiedHeadTerm`` leaves the head's term out of dE.
    var fault = BackwardFault.none
    private(set) var rows = 0
    private(set) var logits = Buffer<Scalar>(count: 0)
    /// The last loss's gradient when it kept the logits (allocated by the first such loss).
    private(set) var logitGradients = Buffer<Scalar>(count: 0)
    /// Whether the last loss wrote its gradient over ``logits`` instead.
    private var gradientInLogits = false
    /// Column sums of the last loss's logit gradient (V): its gradient with respect to b_q.
    private var biasGradient = Buffer<Scalar>(count: 0)

    /// A head from H hidden units to V logits, zero-initialised.
    public init(inputSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(name: "output.W_hq", rows: inputSize, cols: outputSize)
        bias = Parameter(name: "output.b_q", rows: 1, cols: outputSize, vector: true)
        isTied = false
    }

    /// A tied head: the weight is `embedding` (V × H), shared with the input layer; only
    /// the bias `output.b_q` is the head's own.
    public init(tiedTo embedding: Parameter<Scalar>) {
        inputSize = embedding.cols
        outputSize = embedding.rows
        weight = embedding
        bias = Parameter(name: "output.b_q", rows: 1, cols: embedding.rows, vector: true)
        isTied = true
    }

    /// The head `configuration` describes (hidden width to vocabulary), untied.
    public convenience init(configuration: ModelConfig) {
        self.init(inputSize: configuration.hiddenSize, outputSize: configuration.vocabularySize)
    }

    /// The head `configuration` describes: tied to `embedding` when ``ModelConfig/tied`` is
    /// set (``ModelConfig/validate()`` guarantees an embedding of width H then).
    public convenience init(configuration: ModelConfig, embedding: Parameter<Scalar>?) {
        if configuration.tied, let embedding {
            self.init(tiedTo: embedding)
        } else {
            self.init(configuration: configuration)
        }
    }

    /// W_hq and b_q; tied, b_q only (the embedding is the input layer's parameter).
    public var parameters: [Parameter<Scalar>] { isTied ? [bias] : [weight, bias] }

    /// Throws unless `targets` are `steps × batch` ids in the vocabulary.
    public func validate(_ targets: [Int32], steps: Int, batch: Int) throws {
        try InputLayer<Scalar>.check(targets, steps: steps, batch: batch, vocabularySize: outputSize, what: "targets")
    }

    /// logits (T·B × V) = hidden (T·B × H) · W_hq + b_q (tied: · Eᵀ).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        let v = outputSize, n = steps * batch
        if n != rows {
            rows = n
            logits = Buffer(count: n * v)
        }
        gradientInLogits = false
        let l = logits.pointer, b = UnsafePointer(bias.value.pointer)
        WorkerPool.shared.parallelRows(n, width: v) { block in
            for r in block { (l + r * v).update(from: b, count: v) }
        }
        if isTied {
            Scalar.gemm(transposeA: false, transposeB: true, m: n, n: v, k: inputSize, alpha: 1,
                        a: hidden, lda: inputSize, b: weight.value.pointer, ldb: inputSize, beta: 1, c: l, ldc: v)
        } else {
            Scalar.gemm(transposeA: false, transposeB: false, m: n, n: v, k: inputSize, alpha: 1,
                        a: hidden, lda: inputSize, b: weight.value.pointer, ldb: v, beta: 1, c: l, ldc: v)
        }
    }

    /// Mean cross-entropy of the last logits against `targets` (nats); stores its gradient and
    /// that gradient's column sums (b_q's gradient, added by ``backward(hidden:hiddenGradient:)``).
    public func loss(_ targets: [Int32]) -> Double { loss(targets, keepingOutputs: true) }

    /// ``loss(_:)``; with `keepingOutputs` false the gradient is written over the logits (for a
    /// training step, which reads them no more): a T·B × V buffer less to write and read.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32], keepingOutputs: Bool) -> Double {
        if biasGradient.count != outputSize { biasGradient = Buffer(count: outputSize) }
        if keepingOutputs && logitGradients.count != logits.count { logitGradients = Buffer(count: logits.count) }
        gradientInLogits = !keepingOutputs
        let gradient = keepingOutputs ? logitGradients.pointer : logits.pointer
        return targets.withUnsafeBufferPointer {
            SoftmaxCrossEntropy.meanLoss(logits: logits.pointer, rows: rows, cols: outputSize, targets: $0.baseAddress!,
                                         gradient: gradient, columnSums: biasGradient.pointer)
        }
    }

    /// Accumulates W_hq (tied: E) and b_q gradients and writes ∂loss/∂hidden (beta 0).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        let v = outputSize, n = rows, dl = UnsafePointer(gradientInLogits ? logits.pointer : logitGradients.pointer), db = bias.gradient.pointer
        // db += column sums of dL, which the loss summed while each row was in cache.
        let sums = UnsafePointer(biasGradient.pointer)
        WorkerPool.shared.parallelRows(v, width: 1) { part in for j in part { db[j] += sums[j] } }
        if isTied {
            // dE (V × H) += dLᵀ · H;  ∂H = dL · E.
            if fault != .dropTiedHeadTerm {
                Scalar.gemm(transposeA: true, transposeB: false, m: v, n: inputSize, k: n, alpha: 1,
                            a: dl, lda: v, b: hidden, ldb: inputSize, beta: 1, c: weight.gradient.pointer, ldc: inputSize)
            }
            Scalar.gemm(transposeA: false, transposeB: false, m: n, n: inputSize, k: v, alpha: 1,
                        a: dl, lda: v, b: weight.value.pointer, ldb: inputSize, beta: 0, c: hiddenGradient, ldc: inputSize)
            return
        }
        Scalar.gemm(transposeA: true, transposeB: false, m: inputSize, n: v, k: n, alpha: 1,
                    a: hidden, lda: inputSize, b: dl, ldb: v, beta: 1, c: weight.gradient.pointer, ldc: v)
        Scalar.gemm(transposeA: false, transposeB: true, m: n, n: inputSize, k: v, alpha: 1,
                    a: dl, lda: v, b: weight.value.pointer, ldb: v, beta: 0, c: hiddenGradient, ldc: inputSize)
    }
}
