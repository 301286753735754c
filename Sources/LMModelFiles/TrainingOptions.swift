import LMSettings

/// The `training` section of `config.json`, as LMKit has always written it: the recorded parts
/// of ``TrainingSettings`` but the model, flat (``RunConfig`` maps one to the other). Its
/// defaults reproduce d2l 9.5 on the time machine; ``validate()`` checks them as the settings'.
public struct TrainingOptions: Codable, Equatable, Sendable {
    public typealias OptimizerKind = OptimizerSettings.Kind
    public typealias SamplerKind = DataSettings.Sampler
    public typealias TestModel = RunSettings.TestModel

    /// Learning-rate decay: multiply by `factor` every `every` epochs.
    public struct Decay: Codable, Equatable, Sendable {
        public var factor: Double
        public var every: Int
        public init(factor: Double, every: Int) { self.factor = factor; self.every = every }

        /// A decay written `FACTOR:EPOCHS` (`0.5:100` halves the rate every 100 epochs); nil
        /// for any other text.
        public init?(parsing text: String) {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let factor = Double(parts[0]), let every = Int(parts[1]) else { return nil }
            self.init(factor: factor, every: every)
        }
    }

    /// Corpus as given: a path or a registered name.
    public var corpus: String
    /// Sequences per batch.
    public var batch: Int = 32
    /// Time steps per window (truncated-BPTT length); with ``variableSteps``, the base length.
    public var steps: Int = 35
    /// AWD-LSTM's variable-length windows (`--variable-steps`); nil (absent) for fixed ones.
    public var variableSteps: DataSettings.VariableSteps? = nil
    /// Passes over the training stream.
    public var epochs: Int = 500
    /// Wall-time budget in minutes (`--time-budget`); nil for none. May change on resume.
    public var timeBudget: Double? = nil
    /// Learning rate.
    public var lr: Double = 1
    public var optimizer: OptimizerKind = .sgd
    /// RMSProp momentum (0 = none) and whether it is Nesterov's.
    public var momentum: Double = 0
    public var nesterov: Bool = false
    /// Global gradient-norm bound θ; nil for no clipping.
    public var clip: Double? = 1
    public var sampler: SamplerKind = .sequential
    /// Keep only the first tokens of the corpus (d2l's `max_tokens`); nil for all.
    public var maxTokens: Int? = 10_000
    /// Fraction of the stream's end held out for validation (when no `--valid` file).
    public var validationFraction: Double = 0
    /// Separate validation and test files (Penn Treebank style).
    public var validFile: String? = nil
    public var testFile: String? = nil
    /// The older step decay (`--lr-decay`); `learningRateSchedule` reads it as `.step`.
    public var decay: Decay? = nil
    /// The learning-rate schedule (`--lr-schedule`); nil for `decay`'s, or a constant rate.
    public var schedule: LearningRateSchedule? = nil
    /// Weight decay W on every parameter (`--weight-decay`): L2 in the gradient for SGD and
    /// RMSProp, decoupled for Adam (AdamW); nil for none (runs written before it).
    public var weightDecay: Double? = nil
    /// NT-ASGD (`--asgd`, SGD only): averaging starts once the validation loss is worse than
    /// the best of the epochs more than this many epochs ago (`--asgd-nonmono`); nil for none.
    public var asgdNonmonotone: Int? = nil
    public var seed: UInt64 = 0
    /// Checkpoint every this many epochs (and at the end).
    public var checkpointEvery: Int = 10
    /// Checkpoints kept besides the best one.
    public var keep: Int = 3

    /// RMSProp's moving-average factor for squared gradients (nil: 0.9; char-rnn uses 0.95).
    public var rmspropDecay: Double? = nil
    /// The weights the test text is measured with (nil: `.last`).
    public var testModel: TestModel? = nil
    /// Rows the validation and test texts are cut into (`--eval-batch`; nil: ``batch``).
    /// PyTorch's word_language_model uses 10, TensorFlow's PTB model and Chainer's example 1.
    public var evalBatch: Int? = nil
    /// The run a fine-tuning stage started from (`--finetune`); nil (absent) for a fresh start.
    public var finetune: FinetuneOrigin? = nil
    /// What the final test adds (cache pointer, dynamic evaluation; ``TrainingSettings/gains``);
    /// nil for none (and in runs written before it).
    public var gains: EvaluationGains? = nil

    /// The rows validation and test evaluation use: ``evalBatch``, else ``batch``.
    public var evaluationBatch: Int { evalBatch ?? batch }

    /// Options for a corpus with d2l 9.5's defaults.
    public init(corpus: String) { self.corpus = corpus }
}

extension TrainingOptions {
    /// The schedule in effect: `schedule`, else the older `decay` as `.step` (config.json
    /// written before `schedule` existed, and `--lr-decay`); nil for a constant rate.
    public var learningRateSchedule: LearningRateSchedule? {
        schedule ?? decay.map { .step(factor: $0.factor, every: $0.every) }
    }
}
