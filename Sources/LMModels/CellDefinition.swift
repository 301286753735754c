import LMSettings
import LMTensor

/// Everything LMKit knows about one kind of recurrent cell, declared in that cell's own file
/// and listed once, in ``CellRegistry/definitions``: its name, its shape (gate blocks and
/// state tensors), how a layer of it is built, and its PyTorch equivalent if it has one.
/// The rest of LMKit (building a stack, memory estimates, FLOP counts, the PyTorch
/// conversion, the tools' `--model`) asks the registry, never a list of its own.
///
/// The requirements are static, so a definition is a type (`any CellDefinition.Type`) and
/// ``makeLayer(prefix:inputSize:hiddenSize:architecture:)`` can be generic over the scalar type.
public protocol CellDefinition: Sendable {
    /// The kind's name: `config.json`'s `kind`, `--model`, and the parameter prefix (`<kind>.<l>`).
    static var kind: ModelConfig.Kind { get }
    /// Gate blocks G: a layer's `W_xh` is in × G·H, `W_hh` H × G·H, `b_h` 1 × G·H.
    static var gateCount: Int { get }
    /// State tensors carried from step to step, H values each per sequence: 1 (h) or 2 (h, c).
    static var stateCount: Int { get }
    /// The width, in units of H per sequence, of the scratch a layer's window workspace holds
    /// (1 unless a layer of `architecture` asks for more).
    static func scratchWidth(for architecture: some RecurrentArchitecture) -> Int
    /// The layer's PyTorch equivalent: the `torch.nn` module and where its gate blocks go;
    /// nil (the default) when PyTorch has no module computing the same function.
    static var pyTorch: PyTorchCell? { get }
    /// A layer named `prefix` (`lstm.0`) reading `inputSize` features, `hiddenSize` units wide,
    /// with zero weights, configured by `architecture` (its nonlinearity, second bias, variant).
    static func makeLayer<Scalar: TensorScalar>(prefix: String, inputSize: Int, hiddenSize: Int,
                                                architecture: some RecurrentArchitecture) -> any RecurrentCell<Scalar>
}

extension CellDefinition {
    /// One H-wide row per sequence.
    public static func scratchWidth(for architecture: some RecurrentArchitecture) -> Int { 1 }
    /// No PyTorch equivalent.
    public static var pyTorch: PyTorchCell? { nil }

    /// ``makeLayer(prefix:inputSize:hiddenSize:architecture:)`` as wide as `architecture`'s top layer.
    public static func makeLayer<Scalar: TensorScalar>(prefix: String, inputSize: Int,
                                                       architecture: some RecurrentArchitecture) -> any RecurrentCell<Scalar> {
        makeLayer(prefix: prefix, inputSize: inputSize, hiddenSize: architecture.hiddenSize, architecture: architecture)
    }
}
