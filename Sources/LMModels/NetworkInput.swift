import LMTensor

/// How a window's inputs enter the first recurrent layer of a ``RecurrentNetwork``:
/// ``InputLayer`` (token ids, one-hot or embedded) or ``DenseInput`` (real-valued features).
///
/// The network calls, per window: ``validate(_:steps:batch:)``, ``load(_:steps:batch:)``,
/// then ``withCurrent(_:)`` for the first layer's forward; after the backward through the
/// stack (which writes ``inputGradient`` when it is non-nil), ``backward()``.
public protocol NetworkInput<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The configuration the input is built from.
    associatedtype Configuration: RecurrentArchitecture
    /// One window's inputs as callers pass them, t-major (`steps × batch` positions).
    associatedtype Values

    /// An input for `configuration`, its parameters zero until initialised.
    init(configuration: Configuration)
    /// Its parameters (initialised first, saved first).
    var parameters: [Parameter<Scalar>] { get }
    /// Width of the rows the first recurrent layer reads.
    var outputSize: Int { get }
    /// Throws ``ModelError`` unless `values` fill a window of `steps × batch` (both ≥ 1).
    func validate(_ values: Values, steps: Int, batch: Int) throws
    /// Keeps `values` (already validated) for the window and prepares the first layer's rows.
    func load(_ values: Values, steps: Int, batch: Int)
    /// Runs `body` with the first layer's input for the last loaded window.
    func withCurrent(_ body: (CellInput<Scalar>) -> Void)
    /// Where the first layer writes ∂loss/∂input (T·B × ``outputSize``), or nil when there
    /// is nothing to learn from it.
    var inputGradient: UnsafeMutablePointer<Scalar>? { get }
    /// Accumulates its parameters' gradients from ``inputGradient``.
    func backward()
    /// The token embedding (vocabulary × E) a tied head reuses, or nil (the default).
    var embedding: Parameter<Scalar>? { get }
    /// Embedding dropout for the windows loaded next: whole rows dropped with probability
    /// `probability` by masks drawn from `key` (nil or 0: none). The default has nothing to drop.
    func setRowDropout(probability: Double, key: DropoutKey?)
    /// After ``backward()``: the parameter whose gradient it wrote in some rows only, and those
    /// rows (see ``RowSparseGradient``); nil (the default) when its gradients are dense.
    var rowSparseGradient: RowSparseGradient<Scalar>? { get }
}

extension NetworkInput {
    /// No embedding.
    public var embedding: Parameter<Scalar>? { nil }

    /// Nothing to drop.
    public func setRowDropout(probability: Double, key: DropoutKey?) {}

    /// Dense gradients.
    public var rowSparseGradient: RowSparseGradient<Scalar>? { nil }
}
