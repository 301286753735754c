import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s run flags: the ``TrainingSettings/run`` part.
public struct RunOptions: ParsableArguments {
    public init() {}

    @Option(parsing: .unconditional, help: "Epochs (default 500).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Random seed (weights and batches).") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "BLAS threads (default: the library's measured choice).") var threads: Int?
    @Option(help: "Run directory (default: runs/<corpus>-<model>).") var out: String?
    @Option(parsing: .unconditional, help: "Checkpoint every N epochs.") var checkpointEvery = 10
    @Option(parsing: .unconditional, help: "Checkpoints kept, besides the best.") var keep = 3
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Flag(help: "Replace a run already in --out.") var overwrite = false
    @Option(help: "Resume from: newest (the newest intact checkpoint) or best (best.safetensors); implies --resume.") var resumeFrom: ResumePoint?
    @Option(help: "Measure the test text with the last or the best-validation weights (default last).") var testModel: RunSettings.TestModel?

    /// The run settings the flags give (`--resume-from` implies `--resume`).
    public var run: RunSettings {
        var run = RunSettings()
        if let epochs { run.epochs = epochs }
        run.seed = seed
        run.threads = threads
        run.output = out
        run.checkpointEvery = checkpointEvery
        run.keep = keep
        run.resume = resumeFrom ?? (resume ? .newest : nil)
        run.overwrite = overwrite
        run.testModel = testModel ?? .last
        return run
    }
}
