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

    public init(model: ModelConfig, training: TrainingOptions, data: RunData? = nil) {
        self.model = model
        self.training = training
        self.data = data
    }
}
