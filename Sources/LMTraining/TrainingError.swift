/// What can go wrong while training, each with a message a user can act on (a run's files
/// report theirs as `ModelFileError`).
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The corpus cannot fill one batch, or the validation split is too small.
    case corpusTooShort(String)
    /// The loss became NaN or infinite.
    case divergence(epoch: Int, batch: Int, checkpoint: String?)
    /// `--resume` with settings that differ from the checkpoint's.
    case resumeMismatch(String)
    /// A setting that cannot work.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .corpusTooShort(message): return message
        case let .divergence(epoch, batch, checkpoint):
            return "loss became NaN or infinite at epoch \(epoch), batch \(batch); try a smaller --lr or --clip"
                + (checkpoint.map { "; the last good checkpoint is \($0)" } ?? "; no checkpoint was written yet")
        case let .resumeMismatch(message): return "cannot resume: \(message)"
        case let .invalidSetting(message): return message
        }
    }
}
