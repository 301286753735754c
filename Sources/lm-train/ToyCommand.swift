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
    @OptionGroup(title: "Model") var cell: CellOptions
    @OptionGroup(title: "Data") var window: WindowOptions
    @OptionGroup(title: "Optimizer") var update: UpdateOptions
    @OptionGroup(title: "Run") var session: SessionOptions

    /// The session's options (a plain `--init normal` keeps the task's own initialization).
    var options: ToyTaskOptions {
        ToyTaskOptions(task: task, model: cell.model, activation: cell.activation, hidden: cell.hidden?.top, layers: cell.layers,
                       embedding: cell.embedding, initialization: cell.givenInitialization, batch: window.batch, steps: window.steps,
                       epochs: session.epochs, optimizer: update.optimizer, lr: update.lr, momentum: update.momentum,
                       nesterov: update.nesterov, clip: update.clipNorm, length: length, samples: samples, seed: session.seed,
                       threads: session.threads, output: session.out, checkpointEvery: session.checkpointEvery, keep: session.keep,
                       overwrite: session.overwrite, resume: session.resume)
    }

    func validate() throws {
        if case .perLayer = cell.hidden { throw ValidationError("--hidden takes one width for a toy task (got \(cell.hidden.map(String.init(describing:)) ?? ""))") }
        if let threads = session.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
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
