import LMModelFiles

/// How a run ended.
public enum TrainingOutcome: Equatable {
    /// Every epoch done; the last epoch's report.
    case finished(EpochReport?)
    /// Stopped by a signal after writing the checkpoint at `checkpoint`.
    case interrupted(signal: Int32, checkpoint: String)
}
