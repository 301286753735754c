import ArgumentParser

/// The training windows' flags, shared by a corpus run (in ``DataOptions``) and a toy task
/// (`lm-train toy`, where a value left out keeps the task's own).
public struct WindowOptions: ParsableArguments {
    public init() {}

    @Option(parsing: .unconditional, help: "Sequences per batch (default 32; a toy task's own).") public var batch: Int?
    @Option(parsing: .unconditional, help: "Time steps per window, the BPTT length (default 35; toy tasks: counting only).") public var steps: Int?
}
