import ArgumentParser

/// The flags of a training session's length, seed, threads and run directory, shared by a
/// corpus run (in ``RunOptions``) and a toy task (`lm-train toy`, where a value left out
/// keeps the task's own; only the counting task writes a run directory).
public struct SessionOptions: ParsableArguments {
    public init() {}

    @Option(parsing: .unconditional, help: "Epochs (default 500; a toy task's own).") public var epochs: Int?
    @Option(parsing: .unconditional, help: "Random seed (weights, batches and a toy task's data).") public var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "BLAS threads (default: the library's measured choice).") public var threads: Int?
    @Option(help: "Run directory (default: runs/<corpus>-<model>, or runs/counting-<model>).") public var out: String?
    @Option(parsing: .unconditional, help: "Checkpoint every N epochs.") public var checkpointEvery = 10
    @Option(parsing: .unconditional, help: "Checkpoints kept, besides the best.") public var keep = 3
    @Flag(help: "Continue the run in --out from its newest checkpoint (corpus runs; a toy task is rerun).") public var resume = false
    @Flag(help: "Replace a run already in --out.") public var overwrite = false
}
