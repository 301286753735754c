/// Where training stands, beyond the tensors: enough to continue exactly.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Completed epochs.
    public var epoch: Int
    /// Batches done in the current (unfinished) epoch; 0 at an epoch boundary.
    public var batchInEpoch: Int
    /// The sampler's position (JSON).
    public var sampler: String
    /// The current epoch's running sums so far: loss × tokens and tokens.
    public var lossSum: Double
    public var tokenCount: Int
    /// Training seconds so far.
    public var elapsed: Double
    /// Best validation (or training, without validation) perplexity and its epoch.
    public var bestPerplexity: Double?
    public var bestEpoch: Int?
    public var learningRate: Double
    public var optimizerScalars: [String: Double]
    /// The schedule's carried state (`exponential`, `plateau`); nil for the others.
    public var schedule: ScheduleState? = nil
    /// NT-ASGD's trigger: the metrics before it and the epoch it fired; nil without `--asgd`.
    public var averaging: AveragingState? = nil
    /// Training windows done in the whole run (the dropout masks' window counter); nil in
    /// checkpoints written before it was recorded.
    public var windowsTrained: UInt64? = nil

    public init(epoch: Int, batchInEpoch: Int, sampler: String, lossSum: Double, tokenCount: Int, elapsed: Double,
                bestPerplexity: Double?, bestEpoch: Int?, learningRate: Double, optimizerScalars: [String: Double]) {
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.sampler = sampler
        self.lossSum = lossSum
        self.tokenCount = tokenCount
        self.elapsed = elapsed
        self.bestPerplexity = bestPerplexity
        self.bestEpoch = bestEpoch
        self.learningRate = learningRate
        self.optimizerScalars = optimizerScalars
    }
}
