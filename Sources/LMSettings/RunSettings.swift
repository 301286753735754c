/// How long a run trains, where it writes, and how it starts (``TrainingSettings/run``).
public struct RunSettings: Codable, Equatable, Sendable {
    /// Which weights the test text is measured with at the end of a run.
    public enum TestModel: String, Codable, Sendable, CaseIterable {
        /// The model after the last epoch (Zaremba et al., TensorFlow, Chainer).
        case last
        /// The best-validation checkpoint (PyTorch's word_language_model).
        case best
    }

    /// Passes over the training stream.
    public var epochs = 500
    /// Wall-time budget in minutes; nil for none. Training stops after the step past which the
    /// next step and the closing evaluation would not fit (or after ``epochs``, whichever
    /// comes first), then validates, tests and saves as a finished run. It counts the run's
    /// set-up (from the process's start in lm-train), every step, validation and checkpoint,
    /// across resumes, and reserves the closing validation and test pass as estimated from the
    /// last validation.
    public var timeBudget: Double?
    /// Random seed of the weights, the batches and the dropout masks.
    public var seed: UInt64 = 0
    /// The run directory; nil for `runs/<corpus>-<model>`.
    public var output: String?
    /// Checkpoint every this many epochs (and at the end).
    public var checkpointEvery = 10
    /// Checkpoints kept besides the best one.
    public var keep = 3
    /// Continue the run in ``output`` from this checkpoint; nil starts a new run.
    public var resume: ResumePoint?
    /// Where a new run's weights come from: fresh, or a finished run's to fine-tune.
    public var start = Start.fresh
    /// Replace a run already in ``output``.
    public var overwrite = false
    /// The weights the test text is measured with.
    public var testModel = TestModel.last
    /// BLAS threads; nil for the library's measured choice. Not recorded in `config.json`.
    public var threads: Int?

    public init() {}

    /// Throws ``SettingsError`` (keys `run.*`) for a setting that cannot work; `optimizer` is
    /// the update rule a fine-tuning stage must be SGD for.
    public func validate(optimizer: OptimizerSettings.Kind = .sgd) throws {
        try SettingsError.atLeast(1, epochs, "run.epochs")
        if let timeBudget, !(timeBudget > 0 && timeBudget.isFinite) {
            throw SettingsError(.outOfRange, "run.timeBudget", "\(setting: "run.timeBudget") must be a positive number of minutes (got \(timeBudget))")
        }
        try SettingsError.atLeast(1, checkpointEvery, "run.checkpointEvery")
        try SettingsError.atLeast(1, keep, "run.keep")
        if let threads { try SettingsError.atLeast(1, threads, "run.threads") }
        if output?.isEmpty == true {
            throw SettingsError(.outOfRange, "run.output", "\(setting: "run.output") is empty; give the run directory's path, or leave it out for runs/<corpus>-<model>")
        }
        if resume != nil && overwrite {
            throw SettingsError(.conflict, "run.overwrite", "\(setting: "run.resume") and \(setting: "run.overwrite") exclude each other")
        }
        try start.validate(output: output, optimizer: optimizer)
    }
}
