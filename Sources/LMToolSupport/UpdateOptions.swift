import ArgumentParser
import LMSettings

/// The update rule's flags, shared by a corpus run (in ``OptimizerOptions``) and a toy task
/// (`lm-train toy`, where a value left out keeps the task's own).
public struct UpdateOptions: ParsableArguments {
    public init() {}

    @Option(help: "Optimizer: sgd, adam or rmsprop (default sgd; a toy task's own).") public var optimizer: OptimizerSettings.Kind?
    @Option(parsing: .unconditional, help: "Learning rate (default: 1 for sgd, 0.001 for adam, 0.01 for rmsprop; a toy task's own).") public var lr: Double?
    @Option(parsing: .unconditional, help: "Momentum for rmsprop (0: none, or a toy task's own).") public var momentum = 0.0
    @Flag(help: "Nesterov momentum for rmsprop.") public var nesterov = false
    @Option(parsing: .unconditional, help: "Clip gradients to this global L2 norm.") var clip = 1.0
    @Flag(help: "Do not clip gradients.") var noClip = false

    /// The global gradient-norm bound, or nil with `--no-clip`.
    public var clipNorm: Double? { noClip ? nil : clip }
}
