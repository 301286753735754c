import ArgumentParser
import LMDistributed
import LMModels
import LMSettings
import LMToolSupport
import LMToyTasks

/// `lm-train toy TASK [options]`: a toy task of the reference tutorials; an option left out
/// keeps the task's own setting.
struct ToyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "toy", abstract: "Train on a toy task of the reference tutorials: counting, adding or binary-add.")

    @Argument(help: "The task: counting, adding or binary-add.") var task: ToyTask
    @Option(parsing: .unconditional, help: "adding: sequence length T (default 6); binary-add: steps = operand bits + 1 (default 7).") var length: Int?
    @Option(parsing: .unconditional, help: "adding or binary-add: training sequences (default 10000 and 2000); the test set is 1000 fresh ones.") var samples: Int?
    @Option(help: "Recurrent cell kind.") var model: ModelConfig.Kind = .rnn
    @Option(parsing: .unconditional, help: "Hidden units per layer.") var hidden: Int?
    @Option(parsing: .unconditional, help: "Stacked recurrent layers.") var layers = 1
    @Option(parsing: .unconditional, help: "Embedding width (counting only); omit for one-hot input.") var embedding: Int?
    @Option(help: "RNN nonlinearity: tanh or relu.") var activation: ModelConfig.Activation = .tanh
    @Option(help: "Initialization: normal (×0.01), xavier, uniform (±--init-scale) or pytorch (default: the task's).") var `init`: InitScheme = .normal
    @Option(parsing: .unconditional, help: "Scale for --init normal or uniform.") var initScale: Double?
    @Option(parsing: .unconditional, help: "Sequences per batch.") var batch: Int?
    @Option(parsing: .unconditional, help: "counting: time steps per window, the BPTT length.") var steps: Int?
    @Option(parsing: .unconditional, help: "Epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Learning rate.") var lr: Double?
    @Option(help: "Optimizer: sgd, adam or rmsprop.") var optimizer: OptimizerSettings.Kind?
    @Option(parsing: .unconditional, help: "Momentum for rmsprop (0 = the task's).") var momentum = 0.0
    @Flag(help: "Nesterov momentum for rmsprop.") var nesterov = false
    @Option(parsing: .unconditional, help: "Clip gradients to this global L2 norm.") var clip = 1.0
    @Flag(help: "Do not clip gradients.") var noClip = false
    @Option(parsing: .unconditional, help: "Random seed (weights, data and batches).") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "BLAS threads (default: the library's measured choice).") var threads: Int?
    @Option(help: "counting: run directory (default: runs/counting-<model>).") var out: String?
    @Option(parsing: .unconditional, help: "counting: checkpoint every N epochs.") var checkpointEvery = 10
    @Option(parsing: .unconditional, help: "counting: checkpoints kept, besides the best.") var keep = 3
    @Flag(help: "counting: replace a run already in --out.") var overwrite = false
    @Flag(help: "Refused: a toy task is rerun, not resumed.") var resume = false

    /// The session's options (a plain `--init normal` keeps the task's own initialization).
    var options: ToyTaskOptions {
        ToyTaskOptions(task: task, model: model, activation: activation, hidden: hidden, layers: layers, embedding: embedding,
                       initialization: `init` == .normal && initScale == nil ? nil : `init`.initialization(scale: initScale),
                       batch: batch, steps: steps, epochs: epochs, optimizer: optimizer, lr: lr, momentum: momentum,
                       nesterov: nesterov, clip: noClip ? nil : clip, length: length, samples: samples, seed: seed,
                       threads: threads, output: out, checkpointEvery: checkpointEvery, keep: keep, overwrite: overwrite, resume: resume)
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if (MPICommunicator.worldSize ?? 1) > 1 { throw ValidationError("--task trains in one process; start it without mpirun") }
        try ToolFailure.asUsageError { try options.validate() }   // a usage error, as for other flags
    }

    func run() throws { try ToyTaskSession.run(options, say: ProgressDisplay(epochs: 1).say) }

    /// `arguments` with `--task T` (or `--task=T`), the older spelling, as the subcommand `toy T`.
    static func taskAsSubcommand(_ arguments: [String]) -> [String] {
        if let index = arguments.firstIndex(of: "--task"), index + 1 < arguments.count {
            return ["toy", arguments[index + 1]] + arguments[..<index] + arguments[(index + 2)...]
        }
        if let index = arguments.firstIndex(where: { $0.hasPrefix("--task=") }) {
            return ["toy", String(arguments[index].dropFirst("--task=".count))] + arguments[..<index] + arguments[(index + 1)...]
        }
        return arguments
    }
}

extension ToyTask: ExpressibleByArgument {}
