import LMTensor

/// What a ``RecurrentNetwork`` computes from its top layer's outputs, and the loss it is
/// trained on: ``OutputLayer`` (softmax over a vocabulary) or ``SequenceHead`` (regression
/// or logistic outputs).
///
/// The network calls, per window: ``validate(_:steps:batch:)`` (with targets), ``forward(hidden:steps:batch:)``,
/// ``loss(_:)`` (with targets); for the backward, ``backward(hidden:hiddenGradient:)``.
public protocol NetworkHead<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The configuration the head is built from.
    associatedtype Configuration: RecurrentArchitecture
    /// One window's targets as callers pass them.
    associatedtype Targets

    /// A head for `configuration`, its parameters zero until initialised.
    init(configuration: Configuration)
    /// A head for `configuration` next to an input whose token embedding is `embedding`
    /// (nil without one), which a tied head reuses as its weight; by default the embedding
    /// is not used (``init(configuration:)``).
    init(configuration: Configuration, embedding: Parameter<Scalar>?)
    /// Its parameters (initialised last, saved last).
    var parameters: [Parameter<Scalar>] { get }
    /// The values `parameter` (one of ``parameters``) reads per row, for initialisation
    /// (``Initializer/Part/output(fanIn:)``), or nil for the hidden width; nil by default.
    func fanIn(of parameter: Parameter<Scalar>) -> Int?
    /// Throws ``ModelError`` unless `targets` fit a window of `steps × batch`.
    func validate(_ targets: Targets, steps: Int, batch: Int) throws
    /// Reads the top layer's outputs, T·B × H rows (t-major), and computes the head's outputs.
    func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int)
    /// The mean loss of the last forward against `targets` (validated); keeps its gradient.
    func loss(_ targets: Targets) -> Double
    /// ``loss(_:)``; with `keepingOutputs` false the head may write the gradient over its
    /// outputs, which are then not to be read before the next forward (a training step).
    /// By default the outputs are kept.
    func loss(_ targets: Targets, keepingOutputs: Bool) -> Double
    /// Accumulates its parameters' gradients and writes ∂loss/∂hidden into every one of the
    /// T·B × H rows of `hiddenGradient`.
    func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>)
    /// Whether the head uses the input's embedding as its weight (and adds to its gradient);
    /// false by default.
    var readsInputEmbedding: Bool { get }
}

extension NetworkHead {
    /// Every parameter reads the hidden width.
    public func fanIn(of parameter: Parameter<Scalar>) -> Int? { nil }

    /// The outputs are kept: ``loss(_:)``.
    public func loss(_ targets: Targets, keepingOutputs: Bool) -> Double { loss(targets) }

    /// The head has weights of its own.
    public var readsInputEmbedding: Bool { false }

    /// The untied head: ``init(configuration:)``.
    public init(configuration: Configuration, embedding: Parameter<Scalar>?) {
        self.init(configuration: configuration)
    }
}
