/// Every training setting `lm-train` takes that is not the model's architecture. Saved in
/// `config.json`; its defaults reproduce d2l 9.5 on the time machine. LMTraining checks them
/// (`validate()`).
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// The update rule.
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
        /// Plain SGD, as d2l's `sgd`.
        case sgd
        /// Adam (Kingma & Ba), as Chainer's PTB example.
        case adam
        /// RMSProp, with optional Nesterov momentum (the binary-addition tutorial).
        case rmsprop

        /// The learning rate `lm-train` uses when none is given: 1 for SGD (d2l), 0.001 for
        /// Adam, 0.01 for RMSProp.
        public var defaultLearningRate: Double {
            switch self { case .sgd: 1; case .adam: 0.001; case .rmsprop: 0.01 }
        }
    }

    /// How minibatches are cut from the token stream.
    public enum SamplerKind: String, Codable, Sendable, CaseIterable {
        /// d2l's sequential partitioning; state carried across batches.
        case sequential
        /// d2l's random sampling; state re-initialised every batch.
        case random
        /// Chainer's parallel-sequential iterator; state carried.
        case parallel
    }

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
    /// Time steps per window (truncated-BPTT length).
    public var steps: Int = 35
    /// Passes over the training stream.
    public var epochs: Int = 500
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

    /// Which weights the test text is measured with at the end of a run.
    public enum TestModel: String, Codable, Sendable, CaseIterable {
        /// The model after the last epoch (Zaremba et al., TensorFlow, Chainer).
        case last
        /// The best-validation checkpoint (PyTorch's word_language_model).
        case best
    }

    /// RMSProp's moving-average factor for squared gradients (nil: 0.9; char-rnn uses 0.95).
    public var rmspropDecay: Double? = nil
    /// The weights the test text is measured with (nil: `.last`).
    public var testModel: TestModel? = nil
    /// Rows the validation and test texts are cut into (`--eval-batch`; nil: ``batch``).
    /// PyTorch's word_language_model uses 10, TensorFlow's PTB model and Chainer's example 1.
    public var evalBatch: Int? = nil

    /// The rows validation and test evaluation use: ``evalBatch``, else ``batch``.
    public var evaluationBatch: Int { evalBatch ?? batch }

    /// Options for a corpus with d2l 9.5's defaults.
    public init(corpus: String) { self.corpus = corpus }
}
