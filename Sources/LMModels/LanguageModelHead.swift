import LMSettings
import LMTensor

/// The head of a ``RecurrentLM``: the dense ``OutputLayer`` or, when
/// ``ModelConfig/adaptiveSoftmax`` is set, the ``AdaptiveSoftmaxHead`` (``kind``); every
/// call goes to the one the configuration chose. The dense head's members (``weight``,
/// ``bias``, ``isTied``) are here for the code that reads them; they belong to the dense head only.
public final class LanguageModelHead<Scalar: TensorScalar>: NetworkHead {
    /// The two heads a model can have.
    public enum Kind {
        case dense(OutputLayer<Scalar>)
        case adaptive(AdaptiveSoftmaxHead<Scalar>)
    }

    /// The head the configuration chose.
    public let kind: Kind

    /// The dense head, or nil for an adaptive one.
    public var dense: OutputLayer<Scalar>? {
        if case .dense(let head) = kind { return head }
        return nil
    }
    /// The adaptive softmax head, or nil for a dense one.
    public var adaptive: AdaptiveSoftmaxHead<Scalar>? {
        if case .adaptive(let head) = kind { return head }
        return nil
    }

    /// The head `configuration` describes, untied.
    public convenience init(configuration: ModelConfig) {
        self.init(configuration: configuration, embedding: nil)
    }

    /// The head `configuration` describes: adaptive with ``ModelConfig/adaptiveSoftmax``,
    /// else dense (tied to `embedding` with ``ModelConfig/tied``).
    public init(configuration: ModelConfig, embedding: Parameter<Scalar>?) {
        kind = configuration.adaptiveSoftmax != nil ? .adaptive(AdaptiveSoftmaxHead(configuration: configuration))
            : .dense(OutputLayer(configuration: configuration, embedding: embedding))
    }

    /// The dense head itself. Precondition: the head is dense (an adaptive head has no single
    /// output matrix).
    private var denseHead: OutputLayer<Scalar> {
        guard case .dense(let head) = kind else { preconditionFailure("an adaptive softmax head has no output.W_hq or output.b_q") }
        return head
    }

    /// The dense head's `output.W_hq` (tied: the embedding). Precondition: the head is dense.
    public var weight: Parameter<Scalar> { denseHead.weight }
    /// The dense head's `output.b_q`. Precondition: the head is dense.
    public var bias: Parameter<Scalar> { denseHead.bias }
    /// Whether the dense head reuses the embedding (false for an adaptive head).
    public var isTied: Bool { dense?.isTied ?? false }
    /// A tied head adds dE to the embedding's gradient (every row).
    public var readsInputEmbedding: Bool { isTied }
    /// Vocabulary size V.
    public var outputSize: Int {
        switch kind {
        case .dense(let head): head.outputSize
        case .adaptive(let head): head.outputSize
        }
    }
    /// Rows of the last forward (T·B).
    var rows: Int {
        switch kind {
        case .dense(let head): head.rows
        case .adaptive(let head): head.rows
        }
    }
    /// The dense head's logits and, after a loss that kept them, their gradients (empty for an
    /// adaptive head).
    var logits: Buffer<Scalar> { dense?.logits ?? Buffer(count: 0) }
    var logitGradients: Buffer<Scalar> { dense?.logitGradients ?? Buffer(count: 0) }

    public var parameters: [Parameter<Scalar>] {
        switch kind {
        case .dense(let head): head.parameters
        case .adaptive(let head): head.parameters
        }
    }

    public func fanIn(of parameter: Parameter<Scalar>) -> Int? {
        switch kind {
        case .dense(let head): head.fanIn(of: parameter)
        case .adaptive(let head): head.fanIn(of: parameter)
        }
    }

    public func validate(_ targets: [Int32], steps: Int, batch: Int) throws {
        switch kind {
        case .dense(let head): try head.validate(targets, steps: steps, batch: batch)
        case .adaptive(let head): try head.validate(targets, steps: steps, batch: batch)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        switch kind {
        case .dense(let head): head.forward(hidden: hidden, steps: steps, batch: batch)
        case .adaptive(let head): head.forward(hidden: hidden, steps: steps, batch: batch)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32]) -> Double { loss(targets, keepingOutputs: true) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32], keepingOutputs: Bool) -> Double {
        switch kind {
        case .dense(let head): head.loss(targets, keepingOutputs: keepingOutputs)
        case .adaptive(let head): head.loss(targets)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        switch kind {
        case .dense(let head): head.backward(hidden: hidden, hiddenGradient: hiddenGradient)
        case .adaptive(let head): head.backward(hidden: hidden, hiddenGradient: hiddenGradient)
        }
    }

    /// The last forward's scores, rows × V: the dense head's logits, or the adaptive head's
    /// exact log-probabilities (softmax of either is the model's distribution).
    public var scores: UnsafeBufferPointer<Scalar> {
        switch kind {
        case .dense(let head): UnsafeBufferPointer(start: head.logits.pointer, count: head.rows * head.outputSize)
        case .adaptive(let head): head.logProbabilities()
        }
    }

    /// Test hook: passes `fault` to the head.
    func injectFault(_ fault: BackwardFault) {
        switch kind {
        case .dense(let head): head.fault = fault
        case .adaptive(let head): head.fault = fault
        }
    }
}
