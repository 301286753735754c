/// What a fine-tuning stage (``LMSettings/RunSettings/Start/finetune(from:)``) started from, as
/// `config.json`'s `training.finetune` records it: the run's directory and the checkpoint whose
/// weights it loaded (that run's `best.safetensors`: its NT-ASGD average, if it had begun).
public struct FinetuneOrigin: Codable, Equatable, Sendable {
    /// The fine-tuned run's directory, as given.
    public var run: String
    /// The checkpoint the weights were read from.
    public var weights: String

    /// The origin of a stage fine-tuning the run in `run`: its best checkpoint.
    public init(run: String) {
        self.run = run
        weights = CheckpointDirectory(naming: RunDirectory(path: run).checkpointsPath).bestPath
    }
}
