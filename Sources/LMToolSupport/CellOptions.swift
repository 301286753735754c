import ArgumentParser
import LMSettings

/// The recurrent stack's flags, shared by a corpus run (in ``ModelOptions``) and a toy task
/// (`lm-train toy`, where a value left out keeps the task's own).
public struct CellOptions: ParsableArguments {
    public init() {}

    @Option(help: "Recurrent cell kind.") public var model: ModelConfig.Kind = .rnn
    @Option(parsing: .unconditional, help: "Hidden units per layer, or one width per layer, bottom first (1150,1150,400: three layers; corpus runs only) (default: 512 for rnn, 256 for gru and lstm, as d2l; a toy task's own).") public var hidden: ModelConfig.LayerWidths?
    @Option(name: .customLong("layers"), parsing: .unconditional, help: "Stacked recurrent layers (default: 1, or as many as --hidden lists).") var layerCount: Int?

    /// `--layers`, or as many layers as `--hidden` lists widths, or 1.
    public var layers: Int {
        if let layerCount { return layerCount }
        if case .perLayer(let widths) = hidden { return widths.count }
        return 1
    }
    @Option(parsing: .unconditional, help: "Embedding width (toy tasks: counting only); omit for one-hot input.") public var embedding: Int?
    @Option(help: "RNN nonlinearity: tanh or relu.") public var activation: ModelConfig.Activation = .tanh
    @Option(help: "Initialization: normal (d2l, ×0.01), xavier, uniform (±--init-scale), or pytorch (PyTorch's module defaults); a toy task keeps its own unless another is given.") var `init`: InitScheme = .normal
    @Option(parsing: .unconditional, help: "Scale for --init normal or uniform.") var initScale: Double?

    /// The initialisation `--init` and `--init-scale` give.
    public var initialization: ModelConfig.Initialization { `init`.initialization(scale: initScale) }
    /// Whether `--init pytorch` was given (it implies PyTorch's second bias).
    public var pytorchInitialization: Bool { `init` == .pytorch }
    /// The initialisation, or nil when `--init` and `--init-scale` are left as they are (a toy
    /// task then keeps its own).
    public var givenInitialization: ModelConfig.Initialization? { `init` == .normal && initScale == nil ? nil : initialization }
}
