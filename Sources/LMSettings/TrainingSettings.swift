import LMText

/// Everything a training run is asked to do, as plain values: the model's architecture, the
/// data, the optimizer, the learning-rate schedule and the run. Defaults reproduce d2l 9.5 on
/// the time machine (an RNN with 512 hidden units and one-hot input, the first 10,000
/// characters, batch 32 × 35 steps, SGD with lr 1 clipped at norm 1, 500 epochs). `config.json`
/// records them (`RunConfig`); key paths into this value (`optimizer.lr`) name settings in
/// ``SettingsError``.
public struct TrainingSettings: Codable, Equatable, Sendable {
    /// The architecture. `vocabularySize` is set from the vocabulary when the run is set up.
    public var model: ModelConfig
    public var data: DataSettings
    public var optimizer: OptimizerSettings
    /// How the learning rate changes from epoch to epoch; nil keeps it constant.
    public var schedule: LearningRateSchedule?
    public var run: RunSettings
    /// What the final test adds to the model's own predictions (cache pointer, dynamic
    /// evaluation); none by default. Validation during training never uses them.
    public var gains = EvaluationGains()

    /// Settings for `corpus` with d2l 9.5's defaults and a `kind` cell of its default width
    /// (``ModelConfig/defaultHiddenSize(for:)``).
    public init(corpus: String, kind: ModelConfig.Kind = .rnn) {
        model = ModelConfig(kind: kind, vocabularySize: 1, hiddenSize: ModelConfig.defaultHiddenSize(for: kind))
        data = DataSettings(corpus: corpus)
        optimizer = OptimizerSettings()
        run = RunSettings()
    }

    /// Settings of the given parts.
    public init(model: ModelConfig, data: DataSettings, optimizer: OptimizerSettings = OptimizerSettings(),
                schedule: LearningRateSchedule? = nil, run: RunSettings = RunSettings()) {
        self.model = model
        self.data = data
        self.optimizer = optimizer
        self.schedule = schedule
        self.run = run
    }

    /// Throws ``SettingsError`` for the first setting that cannot work, the model's included.
    public func validate() throws {
        try validateTraining()
        try model.validate()
    }

    /// Checks every part but the model, whose vocabulary size is known only once the
    /// vocabulary is (the run's set-up checks it then).
    public func validateTraining() throws {
        try data.validate()
        try optimizer.validate()
        try Self.validate(schedule)
        try run.validate(optimizer: optimizer.kind)
        try gains.validate()
    }

    /// Throws ``SettingsError`` (key `schedule`) for a factor outside (0, 1], a period,
    /// epoch or patience below its minimum, or a floor or warm-up fraction outside [0, 1).
    static func validate(_ schedule: LearningRateSchedule?) throws {
        guard let schedule else { return }
        func bad(_ problem: String) -> SettingsError {
            SettingsError(.outOfRange, "schedule", "\(setting: "schedule") \(schedule.text): \(problem)")
        }
        if let factor = schedule.factor, !(factor > 0 && factor <= 1) { throw bad("the factor must be in (0, 1]") }
        switch schedule {
        case let .cosine(floor, warmup), let .linear(floor, warmup):
            guard (0..<1).contains(floor) else { throw bad("the floor must be a fraction of the rate in [0, 1)") }
            guard (0..<1).contains(warmup) else { throw bad("the warm-up must be a fraction of the run in [0, 1)") }
        case let .step(_, every) where every < 1: throw bad("the period must be at least 1 epoch")
        case let .after(epochs, _) where epochs < 0, let .exponential(epochs, _) where epochs < 0:
            throw bad("the epoch must be at least 0")
        case let .plateau(_, patience) where patience < 0: throw bad("the patience must be at least 0")
        default: break
        }
    }
}
