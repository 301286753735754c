import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s run flags: the ``TrainingSettings/run`` part.
public struct RunOptions: ParsableArguments {
    public init() {}

    @OptionGroup var session: SessionOptions
    @Option(help: "Resume from: newest (the newest intact checkpoint) or best (best.safetensors); implies --resume.") var resumeFrom: ResumePoint?
    @Option(help: "Measure the test text with the last or the best-validation weights (default last).") var testModel: RunSettings.TestModel?
    @Option(help: ArgumentHelp("AWD-LSTM's fine-tuning (finetune.py): start from the best-validation weights of the run in RUN (its NT-ASGD average, if any) and train with SGD averaged from the first step; the new stage needs its own --out and leaves RUN untouched.", valueName: "RUN")) var finetune: String?
    @Option(parsing: .unconditional, help: "Wall-time budget in minutes: stop training where the next step and the closing validation and test would not fit, then validate, test and save (with --epochs, whichever ends first).")
    var timeBudget: Double?

    /// The run settings the flags give (`--resume-from` implies `--resume`).
    public var run: RunSettings {
        var run = RunSettings()
        if let epochs = session.epochs { run.epochs = epochs }
        run.timeBudget = timeBudget
        run.seed = session.seed
        run.threads = session.threads
        run.output = session.out
        run.checkpointEvery = session.checkpointEvery
        run.keep = session.keep
        run.resume = resumeFrom ?? (session.resume ? .newest : nil)
        run.overwrite = session.overwrite
        run.testModel = testModel ?? .last
        run.start = finetune.map { .finetune(from: $0) } ?? .fresh
        return run
    }
}
