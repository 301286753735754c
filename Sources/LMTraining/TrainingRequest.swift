import LMModelFiles
import LMModels
import LMText

extension TrainingRun {
    /// What the user asked for.
    public struct Request {
        public var model: ModelConfig
        public var training: TrainingOptions
        /// Preprocessing and tokenizer for a new vocabulary (ignored with `vocabularyFile`).
        public var pipeline: TextPipeline
        /// An existing vocabulary file to use instead of building one.
        public var vocabularyFile: String?
        /// The run directory; nil for `runs/<corpus>-<model>`.
        public var output: String?
        /// Continue the run in `output` from its newest checkpoint.
        public var resume: Bool
        /// Replace a run already in `output`.
        public var overwrite: Bool
        /// With `resume`: the checkpoint to continue from.
        public var resumePoint: ResumePoint = .newest
        /// The pipeline settings the user gave (nil fields: not given), when `pipeline` holds
        /// defaults for the others: a registered corpus's own preprocessing (ptb: words,
        /// raw, `<eos>`) then fills them instead. nil: `pipeline` is used as it is.
        public var pipelineChoice: PipelineChoice? = nil
        /// Whether `training.maxTokens` was given; if not, a corpus with its own splits is
        /// used whole instead of d2l's first 10,000 tokens.
        public var maxTokensGiven = true

        public init(model: ModelConfig, training: TrainingOptions, pipeline: TextPipeline, vocabularyFile: String? = nil,
                    output: String? = nil, resume: Bool = false, overwrite: Bool = false) {
            self.model = model
            self.training = training
            self.pipeline = pipeline
            self.vocabularyFile = vocabularyFile
            self.output = output
            self.resume = resume
            self.overwrite = overwrite
        }
    }

    /// How the weights start, by name (`lm-train --init`).
    public enum InitScheme: String, CaseIterable, Sendable {
        /// N(0, 1) × scale (d2l's scratch models; scale 0.01 by default).
        case normal
        /// Xavier (Glorot) uniform.
        case xavier
        /// Uniform in ±scale (0.1 by default).
        case uniform
        /// PyTorch's module defaults per part (no scale; see ``ModelConfig/Initialization/pytorch``).
        case pytorch

        /// The initialization with `scale` (nil for the scheme's default; Xavier has none).
        public func initialization(scale: Double?) -> ModelConfig.Initialization {
            switch self {
            case .normal: .normal(scale: scale ?? 0.01)
            case .xavier: .xavierUniform
            case .uniform: .uniform(bound: scale ?? 0.1)
            case .pytorch: .pytorch
            }
        }

        /// An initialization written `SCHEME[:SCALE]` (`normal:1`, `uniform:0.1`, `xavier`,
        /// `pytorch`), as `--init-embedding` and `--init-output` take it; nil when the scheme
        /// is unknown, the scale is not a positive number, or xavier or pytorch has one.
        public static func initialization(parsing text: String) -> ModelConfig.Initialization? {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let scheme = InitScheme(rawValue: String(parts[0])) else { return nil }
            guard parts.count == 2 else { return scheme.initialization(scale: nil) }
            guard scheme == .normal || scheme == .uniform, let scale = Double(parts[1]), scale > 0, scale.isFinite else { return nil }
            return scheme.initialization(scale: scale)
        }
    }
}

extension TrainingRun.Request {
    /// A request from `lm-train`'s settings as plain values: nil takes the default (d2l 9.5's
    /// `TrainingOptions` defaults, the optimizer's own learning rate, 512 hidden units for an
    /// RNN and 256 for a GRU or LSTM, the corpus's own preprocessing or d2l's characters, and
    /// 10,000 tokens, or all of a corpus with splits); `maxTokens` 0 keeps the whole corpus.
    public init(corpus: String, model kind: ModelConfig.Kind, hidden: Int?, layers: Int, embedding: Int?,
                activation: ModelConfig.Activation, initialization scheme: TrainingRun.InitScheme, initScale: Double?,
                batch: Int?, steps: Int?, epochs: Int?, lr: Double?, optimizer: TrainingOptions.OptimizerKind?,
                momentum: Double, nesterov: Bool, clip: Double?, decay: TrainingOptions.Decay?,
                sampler: TrainingOptions.SamplerKind, level: TextPipeline.Level?, preset: Preprocessor.Preset?,
                endOfLine: Bool?, vocabularyFile: String?, maxTokens: Int?, validationFraction: Double,
                validFile: String?, testFile: String?, seed: UInt64, output: String?, checkpointEvery: Int, keep: Int,
                resume: Bool, overwrite: Bool) {
        var options = TrainingOptions(corpus: corpus)
        if let batch { options.batch = batch }
        if let steps { options.steps = steps }
        if let epochs { options.epochs = epochs }
        if let optimizer { options.optimizer = optimizer }
        options.lr = lr ?? options.optimizer.defaultLearningRate
        options.momentum = momentum
        options.nesterov = nesterov
        options.clip = clip
        options.decay = decay
        options.sampler = sampler
        if let maxTokens { options.maxTokens = maxTokens > 0 ? maxTokens : nil }
        options.validationFraction = validationFraction
        options.validFile = validFile
        options.testFile = testFile
        options.seed = seed
        options.checkpointEvery = checkpointEvery
        options.keep = keep
        let model = ModelConfig(kind: kind, activation: activation, vocabularySize: 1, embeddingSize: embedding,
                                hiddenSize: hidden ?? (kind == .rnn ? 512 : 256), layers: layers,
                                initialization: scheme.initialization(scale: initScale))
        let choice = PipelineChoice(level: level, preset: preset, endOfLine: endOfLine)
        self.init(model: model, training: options, pipeline: choice.applied(to: TextPipeline()),
                  vocabularyFile: vocabularyFile, output: output, resume: resume, overwrite: overwrite)
        pipelineChoice = choice
        maxTokensGiven = maxTokens != nil
    }
}
