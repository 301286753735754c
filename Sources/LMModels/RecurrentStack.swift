import LMSettings
import LMTensor

/// The recurrent layers every ``RecurrentNetwork`` stacks: `layers` cells of one kind named
/// `<kind>.<l>`, the first reading `inputSize` features and the others the layer below.
///
/// The one place a cell kind is registered (besides its ``ModelConfig/Kind`` case): its
/// construction and its shape. Everything else about a cell lives in its own file.
enum RecurrentStack {
    /// Builds the cells, bottom first (weights zero until initialised); each has a second
    /// bias `<kind>.<l>.b_hh` when `recurrentBias` is set. A GRU is d2l's ``GRUCell`` or, with
    /// `gruVariant` pytorch, ``GRUResetAfterCell``.
    static func cells<Scalar: TensorScalar>(kind: ModelConfig.Kind, activation: ModelConfig.Activation,
                                            inputSize: Int, hiddenSize: Int, layers: Int,
                                            recurrentBias: Bool = false,
                                            gruVariant: ModelConfig.GRUVariant = .d2l) -> [any RecurrentCell<Scalar>] {
        (0..<layers).map { l -> any RecurrentCell<Scalar> in
            let prefix = "\(kind.rawValue).\(l)"
            let input = l == 0 ? inputSize : hiddenSize
            switch kind {
            case .rnn: return RNNCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize, activation: activation, recurrentBias: recurrentBias)
            case .gru where gruVariant == .pytorch:
                return GRUResetAfterCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize, recurrentBias: recurrentBias)
            case .gru: return GRUCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize, recurrentBias: recurrentBias)
            case .lstm: return LSTMCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize, recurrentBias: recurrentBias)
            }
        }
    }

    /// Gate blocks and state tensors of a `kind` layer (as its cell's ``RecurrentCell/gateCount``
    /// and ``RecurrentCell/stateCount``), known before any cell is built.
    static func shape(of kind: ModelConfig.Kind) -> (gates: Int, states: Int) {
        switch kind {
        case .rnn: (1, 1)
        case .gru: (3, 1)
        case .lstm: (4, 2)
        }
    }

    /// Sets an LSTM stack's forget-gate bias (columns [H, 2H) of b_h) to `value`, and zeroes
    /// that block of b_hh where there is one, so each forget gate's total bias is `value`.
    static func setForgetBias<Scalar: TensorScalar>(_ value: Double, in cells: [any RecurrentCell<Scalar>]) {
        for case let c as LSTMCell<Scalar> in cells {
            let h = c.hiddenSize
            for j in h..<(2 * h) {
                c.bias.value[j] = Scalar(value)
                c.recurrentBias?.value[j] = 0
            }
        }
    }
}
