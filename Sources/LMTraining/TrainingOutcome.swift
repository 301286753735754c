import LMModelFiles

/// How a run ended.
public enum TrainingOutcome: Equatable {
    /// Every epoch done; the last epoch's report.
    case finished(EpochReport?)
    /// The time budget ran out first; the last epoch's report (its ``EpochReport/stoppedAtBatch``
    /// says where training stopped; nil when a resumed run had no time left to train).
    case budgetSpent(EpochReport?)
    /// Stopped by a signal after writing the checkpoint at `checkpoint`.
    case interrupted(signal: Int32, checkpoint: String)
}
