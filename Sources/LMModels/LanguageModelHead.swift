import LMTensor

/// The head of a ``RecurrentLM``: the dense ``OutputLayer`` or, when
/// ``ModelConfig/adaptiveSoftmax`` is set, the ``AdaptiveSoftmaxHead``; every call goes to
/// the one the configuration chose. The dense head's members (``weight``, ``bias``,
/// ``isTied``) are here for the code that reads them; they belong to the dense head only.
public final class LanguageModelHead<Scalar: TensorScalar>: NetworkHead {
    /// The dense head, or nil for an adaptive one.
    public let dense: OutputLayer<Scalar>?
    /// The adaptive softmax head, or nil for a dense one.
    public let adaptive: AdaptiveSoftmaxHead<Scalar>?

    /// The head `configuration` describes, untied.
    public convenience init(configuration: ModelConfig) {
        self.init(configuration: configuration, embedding: nil)
    }

    /// The head `configuration` describes: adaptive with ``ModelConfig/adaptiveSoftmax``,
    /// else dense (tied to `embedding` with ``ModelConfig/tied``).
    public init(configuration: ModelConfig, embedding: Parameter<Scalar>?) {
        if configuration.adaptiveSoftmax != nil {
            dense = nil
            adaptive = AdaptiveSoftmaxHead(configuration: configuration)
        } else {
            dense = OutputLayer(configuration: configuration, embedding: embedding)
            adaptive = nil
        }
    }

    /// The dense head's `output.W_hq` (tied: the embedding). Precondition: the head is dense.
    public var weight: Parameter<Scalar> { dense!.weight }
    /// The dense head's `output.b_q`. Precondition: the head is dense.
    public var bias: Parameter<Scalar> { dense!.bias }
    /// Whether the dense head reuses the embedding (false for an adaptive head).
    public var isTied: Bool { dense?.isTied ?? false }
    /// A tied head adds dE to the embedding's gradient (every row).
    public var readsInputEmbedding: Bool { isTied }
    /// Vocabulary size V.
    public var outputSize: Int { dense?.outputSize ?? adaptive!.outputSize }
    /// Rows of the last forward (T·B).
    var rows: Int { dense?.rows ?? adaptive!.rows }
    /// The dense head's logits and, after a loss that kept them, their gradients (empty for an
    /// adaptive head).
    var logits: Buffer<Scalar> { dense?.logits ?? Buffer(count: 0) }
    var logitGradients: Buffer<Scalar> { dense?.logitGradients ?? Buffer(count: 0) }

    public var parameters: [Parameter<Scalar>] { dense?.parameters ?? adaptive!.parameters }

    public func fanIn(of parameter: Parameter<Scalar>) -> Int? {
        if let dense { return dense.fanIn(of: parameter) }
        return adaptive!.fanIn(of: parameter)
    }

    public func validate(_ targets: [Int32], steps: Int, batch: Int) throws {
        if let dense { try dense.validate(targets, steps: steps, batch: batch) } else { try adaptive!.validate(targets, steps: steps, batch: batch) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        if let dense { dense.forward(hidden: hidden, steps: steps, batch: batch) } else { adaptive!.forward(hidden: hidden, steps: steps, batch: batch) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32]) -> Double { loss(targets, keepingOutputs: true) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32], keepingOutputs: Bool) -> Double {
        if let dense { return dense.loss(targets, keepingOutputs: keepingOutputs) }
        return adaptive!.loss(targets)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        if let dense { dense.backward(hidden: hidden, hiddenGradient: hiddenGradient) } else { adaptive!.backward(hidden: hidden, hiddenGradient: hiddenGradient) }
    }

    /// The last forward's scores, rows × V: the dense head's logits, or the adaptive head's
    /// exact log-probabilities (softmax of either is the model's distribution).
    public var scores: UnsafeBufferPointer<Scalar> {
        if let dense { return UnsafeBufferPointer(start: dense.logits.pointer, count: dense.rows * dense.outputSize) }
        return adaptive!.logProbabilities()
    }

    /// Test hook: passes `fault` to the head that has it.
    func injectFault(_ fault: BackwardFault) {
        dense?.fault = fault
        adaptive?.fault = fault
    }
}
