import LMModelFiles

/// What a ``TrainingSession`` reports to while it trains (`lm-train`'s progress display).
public protocol TrainingObserver {
    /// After every batch.
    mutating func update(_ progress: TrainingProgress)
    /// After every epoch, with the sample when one was drawn.
    mutating func epochEnded(_ report: EpochReport, sample: String?)
    /// When training stops, before the closing lines (clears a status line).
    func finish()
    /// A line of its own.
    func say(_ text: String)
    /// A warning: something that makes the run's results mean less than they seem to.
    func warn(_ text: String)
}

extension TrainingObserver {
    /// A line of its own, starting "warning: ".
    public func warn(_ text: String) { say("warning: " + text) }
}
