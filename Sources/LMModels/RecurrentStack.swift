import LMSettings
import LMTensor

/// The recurrent layers every ``RecurrentNetwork`` stacks: `layers` cells of one kind named
/// `<kind>.<l>`, each as wide as the architecture's width of layer l, the first reading
/// `inputSize` features and the others the layer below,
/// each built by its kind's ``CellDefinition`` (found in ``CellRegistry``).
enum RecurrentStack {
    /// Builds the cells of `architecture`, bottom first (weights zero until initialised);
    /// each has a second bias `<kind>.<l>.b_hh` when `recurrentBias` is set.
    /// - Throws: ``SettingsError`` for a kind no cell is registered for.
    static func cells<Scalar: TensorScalar>(for architecture: some RecurrentArchitecture,
                                            inputSize: Int) throws -> [any RecurrentCell<Scalar>] {
        let definition = try CellRegistry.definition(of: architecture.kind)
        return (0..<architecture.layers).map { l -> any RecurrentCell<Scalar> in
            definition.makeLayer(prefix: "\(architecture.kind.rawValue).\(l)",
                                 inputSize: l == 0 ? inputSize : architecture.hiddenSize(ofLayer: l - 1),
                                 hiddenSize: architecture.hiddenSize(ofLayer: l), architecture: architecture)
        }
    }
}
