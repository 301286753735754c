import LMSettings

/// The PyTorch module a cell kind corresponds to (``CellDefinition/pyTorch``): what
/// word_language_model calls it (its `--model`, the `rnn_type` of an exported file) and how
/// PyTorch orders the kind's gate blocks.
public struct PyTorchCell: Sendable {
    /// word_language_model's name of the module for each nonlinearity the kind has
    /// (`RNN_TANH`, `RNN_RELU`, `GRU`, `LSTM`).
    public var modules: [ModelConfig.Activation: String]
    /// PyTorch's gate block b is LMKit's block `blockOrder[b]`, a permutation of 0..<G (the
    /// LSTM's [I F O C̃] → [i f g o] is [0, 1, 3, 2]; the identity when both agree).
    public var blockOrder: [Int]

    public init(modules: [ModelConfig.Activation: String], blockOrder: [Int]) {
        self.modules = modules
        self.blockOrder = blockOrder
    }
}
