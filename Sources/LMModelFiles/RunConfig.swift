import LMSettings
import LMModels

/// Everything `config.json` holds: enough to rebuild the model and its preprocessing, and to
/// check that a resumed run matches.
public struct RunConfig: Codable, Equatable, Sendable {
    /// The value of `format` that marks an LMKit run.
    public static let formatName = "lmkit-run"
    public var format = RunConfig.formatName
    public var version = 1
    /// The model's architecture.
    public var model: ModelConfig
    /// The training settings.
    public var training: TrainingOptions
    /// What the corpus and the validation and test files held (nil in runs written before
    /// LMKit recorded it).
    public var data: RunData?
    /// The vocabulary the model was trained with (nil in runs written before LMKit recorded
    /// it, and in toy-task runs, which have none); loading a run refuses a vocab.json that
    /// does not match it.
    public var vocabulary: VocabularyDigest?

    public init(model: ModelConfig, training: TrainingOptions, data: RunData? = nil, vocabulary: VocabularyDigest? = nil) {
        self.model = model
        self.training = training
        self.data = data
        self.vocabulary = vocabulary
    }
}
