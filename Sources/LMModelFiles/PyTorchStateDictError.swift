/// Why a PyTorch state_dict cannot become an LMKit model (or an LMKit model a state_dict),
/// each one line naming the file and what to do.
public enum PyTorchStateDictError: Error, CustomStringConvertible, Equatable {
    /// A tensor the model needs is not in the file.
    case missingTensor(path: String, name: String, reason: String)
    /// A tensor no RNNModel of this shape holds.
    case unexpectedTensor(path: String, name: String)
    /// A `*_reverse` tensor: the state_dict of a bidirectional RNN.
    case bidirectional(path: String, name: String)
    /// A `weight_hr_l*` tensor: an LSTM with `proj_size > 0`.
    case projection(path: String, name: String)
    /// A tensor whose shape does not fit the others or the config.
    case shape(path: String, name: String, shape: [Int], expected: String)
    /// A field of `--config` that the tensors contradict.
    case configMismatch(path: String, field: String, config: String, tensors: String)
    /// A GRU of d2l's variant, which PyTorch's `nn.GRU` cannot represent (or the reverse).
    case gruVariant(path: String, direction: Direction)
    /// The config asks for one-hot input but `encoder.weight` is not the identity.
    case notOneHot(path: String)
    /// The config says `recurrentBias: false` but a `bias_hh_l*` is nonzero.
    case recurrentBiasNeeded(path: String, name: String)
    /// The config says `tied: true` but `decoder.weight` differs from `encoder.weight`.
    case notTied(path: String, reason: String)
    /// The vocabulary has a different number of tokens than the model.
    case vocabularySize(path: String, tokens: Int, model: Int)
    /// A `--config` file that cannot be read as a configuration.
    case badConfig(path: String, reason: String)
    /// An output that would replace something that is not ours to replace.
    case outputExists(path: String, reason: String)
    /// An LMKit model with an adaptive softmax head, which `RNNModel`'s one decoder cannot hold.
    case adaptiveSoftmax(path: String)
    /// A model whose layers have different widths (`hiddenSize` a list in config.json), which
    /// one `nn.RNN`/`nn.GRU`/`nn.LSTM` module cannot hold.
    case layerWidths(path: String, widths: String)
    /// A cell kind (with its nonlinearity) that no `torch.nn` module computes.
    case noPyTorchModule(path: String, kind: String)

    /// Which way a refused GRU conversion went.
    public enum Direction: Sendable, Equatable {
        /// An LMKit run of d2l's variant exported to PyTorch.
        case export
        /// A PyTorch GRU imported with a config asking for d2l's variant.
        case `import`
    }

    /// Why the two GRUs are different models, as both refusals say it.
    static let gruExplanation = "d2l's GRU applies the reset gate before the recurrent product, "
        + "h̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h), PyTorch's nn.GRU after it, "
        + "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), so they are different models and the weights do not carry over"

    public var description: String {
        switch self {
        case let .missingTensor(path, name, reason): return "\(path): no tensor \(name) (\(reason))"
        case let .unexpectedTensor(path, name):
            return "\(path): unexpected tensor \(name); word_language_model's RNNModel holds only encoder.weight, "
                + "rnn.weight_ih_l<k>, rnn.weight_hh_l<k>, rnn.bias_ih_l<k>, rnn.bias_hh_l<k>, decoder.weight and decoder.bias"
        case let .bidirectional(path, name):
            return "\(path): \(name) belongs to a bidirectional RNN (bidirectional=True); a language model reads left to right "
                + "and LMKit's cells have no reverse direction"
        case let .projection(path, name):
            return "\(path): \(name) belongs to an LSTM with proj_size > 0; LMKit's LSTM has no projection of its hidden state"
        case let .shape(path, name, shape, expected):
            return "\(path): \(name) has shape \(shape), expected \(expected)"
        case let .configMismatch(path, field, config, tensors):
            return "\(path): the config says \(field) \(config) but the tensors say \(tensors); fix the config or drop the field to infer it"
        case let .gruVariant(path, direction):
            switch direction {
            case .export:
                return "\(path): this GRU is d2l's variant; \(Self.gruExplanation); train with model.gruVariant pytorch to export to PyTorch"
            case .import:
                return "\(path): a PyTorch nn.GRU cannot become gruVariant d2l; \(Self.gruExplanation); drop gruVariant from the config (imports are pytorch)"
            }
        case let .notOneHot(path):
            return "\(path): the config asks for one-hot input (embeddingSize null) but encoder.weight is not the identity; "
                + "drop embeddingSize from the config to import the embedding"
        case let .recurrentBiasNeeded(path, name):
            return "\(path): \(name) is nonzero, so the model needs its second bias; set recurrentBias true in the config or drop the field"
        case let .notTied(path, reason):
            return "\(path): the config says tied true but \(reason); drop tied from the config to import the head on its own"
        case let .vocabularySize(path, tokens, model):
            return "\(path): the vocabulary has \(tokens) tokens but the model's decoder has \(model) rows; use the vocabulary the model was trained with"
        case let .badConfig(path, reason): return "\(path): not a model configuration: \(reason)"
        case let .outputExists(path, reason): return "\(path): \(reason)"
        case let .adaptiveSoftmax(path):
            return "\(path): this model has an adaptive softmax head (adaptiveSoftmax in config.json), which word_language_model's "
                + "RNNModel (one nn.Linear decoder) cannot hold; only dense-head models export"
        case let .layerWidths(path, widths):
            return "\(path): this model's layers have different widths (hiddenSize \(widths) in config.json), which word_language_model's "
                + "RNNModel (one nn.RNN/GRU/LSTM module, one width) cannot hold; only models with equal widths export"
        case let .noPyTorchModule(path, kind):
            return "\(path): no torch.nn module computes the \(kind) cell, so word_language_model's RNNModel cannot hold it"
        }
    }
}
