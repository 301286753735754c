import ArgumentParser
import LMDistributed
import LMFileSystem
import LMGeneration
import LMModels
import LMSettings
import LMText
import LMToolSupport
import LMTraining

/// `lm-train`: train a recurrent language model on a corpus (the default command), or a toy
/// task of the reference tutorials (`lm-train toy TASK`).
@main
struct LMTrain: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-train",
        abstract: "Train a recurrent language model (RNN, GRU or LSTM) on a text corpus.",
        discussion: """
        Defaults reproduce d2l 9.5 on the time machine: d2l preset, characters, the first 10,000 \
        tokens, an RNN with 512 hidden units and one-hot input, batch 32 × 35 steps, SGD with lr 1, \
        clipping at norm 1, sequential partitioning with the state carried, 500 epochs. \
        The run goes to runs/<corpus>-<model> (runs/latest points at the newest); Ctrl-C \
        writes a checkpoint that --resume continues exactly.
        """,
        subcommands: [CorpusCommand.self, ToyCommand.self], defaultSubcommand: CorpusCommand.self)

    /// `--recipe NAME`'s options go first, so the command line's own override them; `--task T`
    /// is `toy T`.
    static func expandArguments(_ arguments: [String]) throws -> [String] { ToyCommand.taskAsSubcommand(try Recipe.expand(arguments)) }

    /// Settings named by their flags; invalid UTF-8 with what lm-train accepts instead of
    /// lm-vocab's `--replace-invalid`.
    static func message(for error: any Error) -> String {
        if case let TextError.invalidUTF8(path, offset) = error {
            return SettingsFlags.message(for: TextError.invalidUTF8Input(path: path, offset: offset, remedy: invalidUTF8Remedy))
        }
        return SettingsFlags.message(for: error)
    }

    /// What to do about invalid UTF-8 in a corpus: lm-train has no --replace-invalid of its own.
    static let invalidUTF8Remedy = "fix the file, or build a vocabulary with `lm-vocab build CORPUS --replace-invalid` "
        + "(it substitutes U+FFFD) and pass it with --vocab"
}

/// `lm-train CORPUS [options]`: the flags mirror ``TrainingSettings`` part by part.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Train on a text corpus (the default command).")

    @Option(help: "Start from a named recipe (recipes/NAME.txt: zaremba-small, pwl-tied, char-rnn, ...); options given here override it.")
    var recipe: String?
    @OptionGroup var options: TrainingCommandOptions
    @Flag(help: "Train as one process of an Open MPI job (`mpirun -np N lm-train ...`, implied when mpirun starts lm-train): --batch streams are split across the processes and their gradients summed; rank 0 writes the run. Fails when Open MPI cannot be loaded.")
    var mpi = false

    func run() throws {
        let settings = options.settings
        let outcome = try MPICommunicator.joining(if: mpi) { (parallel: DataParallel?) throws -> TrainingOutcome in
            // The time budget counts the whole process, its start-up included.
            try TrainingSession.run(settings, parallel: parallel, spentBefore: ProcessAge.seconds() ?? 0,
                                    sample: GreedyPrediction.periodicSample,
                                    reporting: ProgressDisplay(epochs: settings.run.epochs, rewrite: SettingsFlags.flagged))
        }
        if case let .interrupted(signal, _) = outcome { throw ExitCode(Interrupts.exitStatus(signal)) }
    }
}

extension ProgressDisplay: TrainingObserver {}
