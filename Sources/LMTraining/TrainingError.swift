/// What can go wrong while training, each with a message a user can act on (a run's files
/// report theirs as `ModelFileError`).
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The corpus cannot fill one batch, or the validation split is too small.
    case corpusTooShort(String)
    /// The loss became NaN or infinite.
    /// `checkpoint` is the newest regular checkpoint, `best` the best one when it exists.
    case divergence(epoch: Int, batch: Int, checkpoint: String?, best: String? = nil)
    /// Resuming with settings that differ from the checkpoint's.
    case resumeMismatch(String)
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A data-parallel rank other than 0 failed (rank, message).
    case onRank(Int, String)

    public var description: String {
        switch self {
        case let .corpusTooShort(message): return message
        case let .divergence(epoch, batch, checkpoint, best):
            let saved: String
            switch (checkpoint, best) {
            case let (checkpoint?, best?): saved = "; the last good checkpoint is \(checkpoint), the best is \(best)"
            case let (checkpoint?, nil): saved = "; the last good checkpoint is \(checkpoint)"
            case let (nil, best?): saved = "; no regular checkpoint was written yet, the best weights so far are in \(best)"
            case (nil, nil): saved = "; no checkpoint was written yet"
            }
            return "loss became NaN or infinite at epoch \(epoch), batch \(batch); try a smaller optimizer.lr or optimizer.clip" + saved
        case let .resumeMismatch(message): return "cannot resume: \(message)"
        case let .invalidSetting(message): return message
        case let .onRank(rank, message): return "rank \(rank): \(message)"
        }
    }
}
