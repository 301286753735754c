import LMTensor

/// Real-valued feature vectors as the first layer's input of a ``SequenceModel``: F values
/// per position, `inputs[(t·batch + b)·F + f]` (t-major), copied into a buffer the cells read.
public final class DenseInput<Scalar: TensorScalar>: NetworkInput {
    /// Features per step F.
    public let features: Int
    private var values = Buffer<Scalar>(count: 0)

    /// An input of `features` values per step.
    public init(features: Int) {
        self.features = features
    }

    /// The input `configuration` describes (its `inputSize` features).
    public convenience init(configuration: SequenceModelConfig) {
        self.init(features: configuration.inputSize)
    }

    /// None: the features enter the first layer's W_xh as they are.
    public var parameters: [Parameter<Scalar>] { [] }

    /// F.
    public var outputSize: Int { features }

    /// Throws unless there are `steps · batch · F` values.
    public func validate(_ inputs: [Scalar], steps: Int, batch: Int) throws {
        let f = features
        guard inputs.count == steps * batch * f else {
            throw ModelError.shapeMismatch("\(inputs.count) input values for \(steps) steps × \(batch) sequences × \(f) features (\(steps * batch * f) expected)")
        }
    }

    /// Copies the window's values.
    public func load(_ inputs: [Scalar], steps: Int, batch: Int) {
        if values.count != inputs.count { values = Buffer(count: inputs.count) }
        try! values.assign(inputs)
    }

    /// The copied values as dense rows.
    public func withCurrent(_ body: (CellInput<Scalar>) -> Void) {
        body(.dense(UnsafePointer(values.pointer)))
    }

    /// Nil: no gradient is needed with respect to the data.
    public var inputGradient: UnsafeMutablePointer<Scalar>? { nil }

    /// Nothing to learn.
    public func backward() {}
}
