import LMSettings

/// What a ``RecurrentNetwork`` reads from its configuration to build its stack of cells:
/// the cell kind, its nonlinearity, the width and depth of the stack and how weights start.
/// ``ModelConfig`` (language models) and ``SequenceModelConfig`` (toy tasks) conform.
public protocol RecurrentArchitecture: Codable, Equatable, Sendable {
    /// Cell type.
    var kind: ModelConfig.Kind { get }
    /// RNN nonlinearity (`.tanh` for GRU and LSTM).
    var activation: ModelConfig.Activation { get }
    /// The top layer's width, which the head reads (every layer's unless
    /// ``hiddenSize(ofLayer:)`` says otherwise).
    var hiddenSize: Int { get }
    /// The width of layer `l` (0 is the bottom); ``hiddenSize`` for every layer by default.
    func hiddenSize(ofLayer l: Int) -> Int
    /// Stacked recurrent layers (≥ 1).
    var layers: Int { get }
    /// Weight initialisation.
    var initialization: ModelConfig.Initialization { get }
    /// Whether each layer has a second bias b_hh, as PyTorch's cells (default false).
    var recurrentBias: Bool { get }
    /// The LSTM forget-gate bias after initialisation, or nil (default nil).
    var forgetBias: Double? { get }
    /// The input's initialisation, when it differs from ``initialization`` (default nil).
    var embeddingInitialization: ModelConfig.Initialization? { get }
    /// The head's initialisation, when it differs from ``initialization`` (default nil).
    var outputInitialization: ModelConfig.Initialization? { get }
    /// Throws ``ModelError/invalidConfiguration(_:)`` naming the offending field.
    func validate() throws
    /// Whether every window is a batch of independent sequences, so each forward starts
    /// from a zero state; otherwise the state is carried (detached) into the next window.
    static var windowsAreIndependent: Bool { get }
    /// Dropout in training windows (off unless the configuration has a setting for it).
    var dropout: Dropout { get }
    /// A GRU's reset-gate placement (default d2l).
    var gruVariant: ModelConfig.GRUVariant { get }
    /// AR and TAR on the top layer's output in training (off unless the configuration has a
    /// setting for it).
    var activationRegularization: ModelConfig.ActivationRegularization { get }
}

extension RecurrentArchitecture {
    /// No dropout.
    public var dropout: Dropout { .off }
}

extension RecurrentArchitecture {
    public var recurrentBias: Bool { false }
    public var forgetBias: Double? { nil }
    public var embeddingInitialization: ModelConfig.Initialization? { nil }
    public var outputInitialization: ModelConfig.Initialization? { nil }
    public var gruVariant: ModelConfig.GRUVariant { .d2l }
    public func hiddenSize(ofLayer l: Int) -> Int { hiddenSize }
    public var activationRegularization: ModelConfig.ActivationRegularization { .off }
}

extension ModelConfig: RecurrentArchitecture {
    /// A language model carries its state across windows (the trainer resets it when the
    /// sampler asks).
    public static var windowsAreIndependent: Bool { false }
}

extension SequenceModelConfig: RecurrentArchitecture {
    /// Toy-task sequences are independent: each forward starts from zero.
    public static var windowsAreIndependent: Bool { true }
}
