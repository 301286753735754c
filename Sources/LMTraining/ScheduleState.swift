/// What a learning-rate schedule that depends on the past carries from epoch to epoch
/// (`exponential` compounds its rate; `plateau` also keeps the best metric and the bad
/// epochs since the last improvement or cut). In `TrainerState` so resume continues exactly.
public struct ScheduleState: Codable, Equatable, Sendable {
    /// The learning rate of the next epoch to train.
    public var rate: Double
    /// `plateau`: the best metric (validation perplexity, else training) so far.
    public var best: Double?
    /// `plateau`: epochs in a row that did not improve on `best` since the last cut.
    public var badEpochs: Int

    public init(rate: Double, best: Double? = nil, badEpochs: Int = 0) {
        self.rate = rate
        self.best = best
        self.badEpochs = badEpochs
    }
}
