import LMTensor

/// The recurrent layers every ``RecurrentNetwork`` stacks: `layers` cells of one kind named
/// `<kind>.<l>`, the first reading `inputSize` features and the others the layer below.
enum RecurrentStack {
    /// Builds the cells, bottom first (weights zero until initialised).
    static func cells<Scalar: TensorScalar>(kind: ModelConfig.Kind, activation: ModelConfig.Activation,
                                            inputSize: Int, hiddenSize: Int, layers: Int) -> [any RecurrentCell<Scalar>] {
        (0..<layers).map { l -> any RecurrentCell<Scalar> in
            let prefix = "\(kind.rawValue).\(l)"
            let input = l == 0 ? inputSize : hiddenSize
            switch kind {
            case .rnn: return RNNCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize, activation: activation)
            case .gru: return GRUCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize)
            case .lstm: return LSTMCell<Scalar>(prefix: prefix, inputSize: input, hiddenSize: hiddenSize)
            }
        }
    }

    /// Test hook: breaks one backward term in every cell of a stack.
    static func injectFault<Scalar: TensorScalar>(_ fault: BackwardFault, into cells: [any RecurrentCell<Scalar>]) {
        for c in cells { c.workspace.fault = fault }
    }
}
