/// Where training stands, beyond the tensors: enough to continue exactly. Each part is the
/// typed state of the piece that keeps it: the loop's counters, the sampler's position, the
/// optimizer's scalars, the checkpoint hook's best, the schedule's and NT-ASGD's own state.
/// Checkpoints before it held the sampler as JSON in a string and the optimizer as a
/// dictionary of scalars: ``LegacyTrainerState`` reads those.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Completed epochs.
    public var epoch: Int
    /// Batches done in the current (unfinished) epoch; 0 at an epoch boundary.
    public var batchInEpoch: Int
    /// The sampler's position.
    public var sampler: SamplerPosition
    /// The current epoch's running sums so far: loss × tokens and tokens.
    public var lossSum: Double
    public var tokenCount: Int
    /// Training seconds so far.
    public var elapsed: Double
    /// Wall seconds the run has spent so far, across resumes (set-up, steps, validation,
    /// checkpoints): what the time budget counts; nil in checkpoints of runs without one.
    public var timeSpent: Double? = nil
    /// Best validation (or training, without validation) perplexity and its epoch.
    public var bestPerplexity: Double?
    public var bestEpoch: Int?
    public var learningRate: Double
    /// The optimizer's scalar state.
    public var optimizer: OptimizerState
    /// The schedule's carried state (`exponential`, `plateau`); nil for the others.
    public var schedule: ScheduleState? = nil
    /// NT-ASGD's trigger and averaged updates; nil without `asgdNonmonotone`.
    public var averaging: AveragingState? = nil
    /// Training windows done in the whole run (the dropout masks' window counter); nil in
    /// checkpoints written before it was recorded.
    public var windowsTrained: UInt64? = nil

    /// The state before the first step.
    public init(sampler: SamplerPosition, learningRate: Double, optimizer: OptimizerState) {
        epoch = 0
        batchInEpoch = 0
        self.sampler = sampler
        lossSum = 0
        tokenCount = 0
        elapsed = 0
        self.learningRate = learningRate
        self.optimizer = optimizer
    }
}
