import LMSettings

/// The one mapping between ``TrainingSettings`` and `config.json`'s layout
/// (`{model, training, data}`, as LMKit has always written it, so older runs load).
/// `config.json` records what rebuilds the model and what resume must match: the run's
/// directory, whether it resumes or overwrites, the vocabulary file and the preprocessing given
/// (the run's `vocab.json` holds the preprocessing) are not recorded; a fine-tuning stage's
/// origin is (`training.finetune`).
extension RunConfig {
    /// `config.json` for a run's settings (their corpus defaults resolved), data and vocabulary.
    public init(settings: TrainingSettings, data: RunData? = nil, vocabulary: VocabularyDigest? = nil) {
        self.init(model: settings.model, training: TrainingOptions(settings), data: data, vocabulary: vocabulary)
    }

    /// The settings `config.json` records; the parts it does not record take their defaults.
    public var settings: TrainingSettings {
        var settings = TrainingSettings(corpus: training.corpus)
        settings.model = model
        training.apply(to: &settings)
        return settings
    }
}

extension TrainingOptions {
    /// The recorded training settings of `settings`: `maxTokens` 0 (all) is nil; nil (the
    /// corpus's default, unresolved) is d2l's 10,000.
    public init(_ settings: TrainingSettings) {
        let data = settings.data, optimizer = settings.optimizer, run = settings.run
        self.init(corpus: data.corpus)
        batch = data.batch
        steps = data.steps
        variableSteps = data.variableSteps
        maxTokens = data.maxTokens.map { $0 == 0 ? nil : $0 } ?? DataSettings.defaultMaxTokens
        validationFraction = data.validationFraction
        validFile = data.validFile
        testFile = data.testFile
        sampler = data.sampler
        evalBatch = data.evalBatch
        self.optimizer = optimizer.kind
        lr = optimizer.lr
        momentum = optimizer.momentum
        nesterov = optimizer.nesterov
        rmspropDecay = optimizer.rmspropDecay
        weightDecay = optimizer.weightDecay == 0 ? nil : optimizer.weightDecay
        clip = optimizer.clip
        asgdNonmonotone = optimizer.asgd?.nonmonotone
        schedule = settings.schedule
        epochs = run.epochs
        timeBudget = run.timeBudget
        seed = run.seed
        checkpointEvery = run.checkpointEvery
        keep = run.keep
        testModel = run.testModel == .last ? nil : run.testModel
        if case .finetune(let from) = run.start { finetune = FinetuneOrigin(run: from) }
        gains = settings.gains.isNone ? nil : settings.gains
    }

    /// Writes these recorded settings into `settings` (its model, vocabulary, pipeline and
    /// run directory untouched).
    func apply(to settings: inout TrainingSettings) {
        settings.data.corpus = corpus
        settings.data.batch = batch
        settings.data.steps = steps
        settings.data.variableSteps = variableSteps
        settings.data.maxTokens = maxTokens ?? 0
        settings.data.validationFraction = validationFraction
        settings.data.validFile = validFile
        settings.data.testFile = testFile
        settings.data.sampler = sampler
        settings.data.evalBatch = evalBatch
        settings.optimizer.kind = optimizer
        settings.optimizer.lr = lr
        settings.optimizer.momentum = momentum
        settings.optimizer.nesterov = nesterov
        settings.optimizer.rmspropDecay = rmspropDecay
        settings.optimizer.weightDecay = weightDecay ?? 0
        settings.optimizer.clip = clip
        settings.optimizer.asgd = asgdNonmonotone.map { OptimizerSettings.Averaging(nonmonotone: $0) }
        settings.schedule = learningRateSchedule
        settings.run.epochs = epochs
        settings.run.timeBudget = timeBudget
        settings.run.seed = seed
        settings.run.checkpointEvery = checkpointEvery
        settings.run.keep = keep
        settings.run.testModel = testModel ?? .last
        settings.run.start = finetune.map { .finetune(from: $0.run) } ?? .fresh
        settings.gains = gains ?? EvaluationGains()
    }

    /// Throws ``SettingsError`` for a setting that cannot work, as ``TrainingSettings/validateTraining()``.
    public func validate() throws {
        var settings = TrainingSettings(corpus: corpus)
        apply(to: &settings)
        try settings.validateTraining()
        if decay != nil && schedule != nil {
            throw SettingsError(.conflict, "schedule", "config.json's training.decay and \(setting: "schedule") exclude each other")
        }
    }
}
