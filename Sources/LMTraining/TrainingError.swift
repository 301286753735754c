/// What can go wrong while training, checkpointing or loading a run, each with a message a
/// user can act on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A file that should be a safetensors file is not, or is damaged.
    case badSafeTensors(path: String, reason: String)
    /// A run directory that is missing, or is not one.
    case notARun(path: String, reason: String)
    /// Weights whose names or shapes do not match the run's configuration.
    case weightsMismatch(path: String, reason: String)
    /// The corpus cannot fill one batch, or the validation split is too small.
    case corpusTooShort(String)
    /// The loss became NaN or infinite.
    case divergence(epoch: Int, batch: Int, checkpoint: String?)
    /// `--resume` with settings that differ from the checkpoint's.
    case resumeMismatch(String)
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A file that could not be written or read.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badSafeTensors(path, reason): return "\(path): not a valid safetensors file: \(reason)"
        case let .notARun(path, reason): return "\(path): not an LMKit run directory: \(reason)"
        case let .weightsMismatch(path, reason): return "\(path): weights do not match config.json: \(reason)"
        case let .corpusTooShort(message): return message
        case let .divergence(epoch, batch, checkpoint):
            return "loss became NaN or infinite at epoch \(epoch), batch \(batch); try a smaller --lr or --clip"
                + (checkpoint.map { "; the last good checkpoint is \($0)" } ?? "; no checkpoint was written yet")
        case let .resumeMismatch(message): return "cannot resume: \(message)"
        case let .invalidSetting(message): return message
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
