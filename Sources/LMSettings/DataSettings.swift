import LMText

/// What a run trains on and how it is cut into batches: the corpus, its vocabulary and
/// preprocessing, the held-out texts, and the batch shape (``TrainingSettings/data``).
public struct DataSettings: Codable, Equatable, Sendable {
    /// How minibatches are cut from the token stream.
    public enum Sampler: String, Codable, Sendable, CaseIterable {
        /// d2l's sequential partitioning; state carried across batches.
        case sequential
        /// d2l's random sampling; state re-initialised every batch.
        case random
        /// Chainer's parallel-sequential iterator; state carried.
        case parallel
    }

    /// d2l's `max_tokens` for a corpus without its own splits.
    public static let defaultMaxTokens = 10_000

    /// The corpus: a path, a registered name (`timemachine`, `ptb`) or `-` for standard input.
    public var corpus: String
    /// A vocabulary file to use (its preprocessing included) instead of building one; nil builds one.
    public var vocabulary: String?
    /// The preprocessing and level given (nil fields: the registered corpus's own, else d2l's
    /// characters); with ``vocabulary`` they must agree with the file's.
    public var pipeline = PipelineChoice()
    /// Keep only the first tokens of the corpus (d2l's `max_tokens`): nil for the corpus's
    /// default (``defaultMaxTokens``, or all of a corpus with its own splits, such as ptb), 0 for all.
    public var maxTokens: Int?
    /// Fraction of the stream's end held out for validation when there is no ``validFile``.
    public var validationFraction: Double = 0
    /// A validation file (nil: the registered corpus's, if any).
    public var validFile: String?
    /// A test file, evaluated at the end (nil: the registered corpus's, if any).
    public var testFile: String?
    /// Sequences per batch.
    public var batch = 32
    /// Time steps per window (truncated-BPTT length); with ``variableSteps``, the base length.
    public var steps = 35
    /// AWD-LSTM's variable-length windows around ``steps`` (parallel sampler only); nil for
    /// windows of exactly ``steps``.
    public var variableSteps: VariableSteps?
    public var sampler = Sampler.sequential
    /// Rows the validation and test texts are cut into (nil: ``batch``). PyTorch's
    /// word_language_model uses 10, TensorFlow's PTB model and Chainer's example 1.
    public var evalBatch: Int?

    /// Data settings for a corpus with d2l 9.5's defaults.
    public init(corpus: String) { self.corpus = corpus }

    /// The rows validation and test evaluation use: ``evalBatch``, else ``batch``.
    public var evaluationBatch: Int { evalBatch ?? batch }

    /// The longest training window: ``steps``, or with ``variableSteps`` the longest it draws.
    public var longestWindow: Int { variableSteps == nil ? steps : VariableSteps.longestWindow(steps: steps) }

    /// Throws ``SettingsError`` (keys `data.*`) for a setting that cannot work.
    public func validate() throws {
        try SettingsError.atLeast(1, batch, "data.batch")
        if let evalBatch { try SettingsError.atLeast(1, evalBatch, "data.evalBatch") }
        try SettingsError.atLeast(1, steps, "data.steps")
        try variableSteps?.validate(sampler: sampler)
        if let maxTokens, maxTokens != 0 { try SettingsError.atLeast(2, maxTokens, "data.maxTokens") }
        if !(0..<1).contains(validationFraction) {
            throw SettingsError(.outOfRange, "data.validationFraction", "\(setting: "data.validationFraction") must be in [0, 1) (got \(validationFraction))")
        }
    }
}

extension SettingsError {
    /// Throws `key must be at least minimum (got value)` when `value` is below `minimum`.
    static func atLeast(_ minimum: Int, _ value: Int, _ key: String, unit: String = "") throws {
        if value < minimum { throw SettingsError(.outOfRange, key, "\(setting: key) must be at least \(minimum)\(unit) (got \(value))") }
    }
}
