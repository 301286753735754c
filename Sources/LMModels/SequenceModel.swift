import LMSettings
import LMTensor

/// The architecture of a ``SequenceModel``: dense real-valued input per step, stacked
/// recurrent layers, and a dense head with a regression or a logistic loss.
public struct SequenceModelConfig: Codable, Equatable, Sendable {
    /// What the head reads and which loss it minimises.
    public enum Head: String, Codable, Sendable, CaseIterable {
        /// One linear output per sequence, read from the last step's hidden state, with the
        /// mean squared error `mean((ŷ − y)²)` over the batch and outputs (the adding problem).
        case regression
        /// A linear output at every step through the logistic sigmoid, with the mean binary
        /// cross-entropy over steps, batch and outputs (binary addition, bit by bit).
        case logistic
    }

    /// Cell type (RNN, GRU or LSTM).
    public var kind: ModelConfig.Kind
    /// RNN nonlinearity (must be `.tanh` for GRU and LSTM).
    public var activation: ModelConfig.Activation
    /// Features per step F (2 for the adding problem and binary addition).
    public var inputSize: Int
    /// Hidden units per layer.
    public var hiddenSize: Int
    /// Stacked recurrent layers (≥ 1).
    public var layers: Int
    /// Outputs per prediction O (1 for both toy tasks).
    public var outputSize: Int
    /// The head and its loss.
    public var head: Head
    /// Weight initialisation (the tutorials use Xavier/Glorot uniform).
    public var initialization: ModelConfig.Initialization

    /// A configuration; call ``validate()`` (the model's initialiser does).
    public init(kind: ModelConfig.Kind, activation: ModelConfig.Activation = .tanh, inputSize: Int, hiddenSize: Int,
                layers: Int = 1, outputSize: Int = 1, head: Head, initialization: ModelConfig.Initialization = .xavierUniform) {
        self.kind = kind
        self.activation = activation
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.outputSize = outputSize
        self.head = head
        self.initialization = initialization
    }

    /// Throws ``ModelError/invalidConfiguration(_:)`` naming the offending field.
    public func validate() throws {
        if inputSize < 1 { throw ModelError.invalidConfiguration("inputSize is \(inputSize); it must be ≥ 1 feature per step") }
        if outputSize < 1 { throw ModelError.invalidConfiguration("outputSize is \(outputSize); it must be ≥ 1") }
        // The recurrent part is checked exactly as a language model's.
        try ModelConfig(kind: kind, activation: activation, vocabularySize: 1, hiddenSize: hiddenSize,
                        layers: layers, initialization: initialization).validate()
    }
}

/// A recurrent network over sequences of real-valued feature vectors: dense input of width F
/// (``DenseInput``) → L stacked RNN/GRU/LSTM layers (the same cells, with the same
/// hand-written BPTT, as ``RecurrentLM``) → a dense head (``SequenceHead``).
///
/// Every window is a batch of independent sequences: each forward starts from a zero state
/// (nothing is carried between calls).
///
/// Data layout, t-major as ``RecurrentLM``: `inputs[(t·batch + b)·F + f]` is feature f of
/// sequence b at step t. Targets are `batch × O` (regression: one value per sequence and
/// output) or `steps·batch × O` t-major (logistic: one 0/1 label per step). The loss is the
/// MSE (regression) or the binary cross-entropy in nats (logistic).
///
/// Parameters, in order: per layer l `<kind>.<l>.W_xh`, `<kind>.<l>.W_hh`, `<kind>.<l>.b_h`,
/// then `head.W_hy`, `head.b_y`. Generic over the scalar so the training code is
/// gradient-checked in `Double`.
public typealias SequenceModel<Scalar: TensorScalar> = RecurrentNetwork<DenseInput<Scalar>, SequenceHead<Scalar>>

extension RecurrentNetwork where Head == SequenceHead<Input.Scalar> {
    /// `head.W_hy`, H × O.
    public var headWeight: Parameter<Scalar> { outputLayer.weight }
    /// `head.b_y`, 1 × O.
    public var headBias: Parameter<Scalar> { outputLayer.bias }

    /// Rows the head produces for a window: `batch` (regression) or `steps·batch` (logistic).
    public func predictionRows(steps: Int, batch: Int) -> Int {
        outputLayer.predictionRows(steps: steps, batch: batch)
    }

    /// The last forward's predictions (a copy): regression values, `batch × O`; or logistic
    /// probabilities σ(z), `steps·batch × O` t-major.
    public var predictions: [Scalar] { outputLayer.predictions }
}
