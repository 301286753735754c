/// What one epoch achieved; one line of `log.jsonl`.
public struct EpochReport: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// exp(mean training cross-entropy of the epoch), as d2l reports it.
    public var trainPerplexity: Double
    /// Perplexity on the validation stream, when there is one.
    public var validationPerplexity: Double?
    /// Training target tokens per second (forward, backward, clipping, update).
    public var tokensPerSecond: Double
    /// Learning rate used in the epoch.
    public var learningRate: Double
    /// Training seconds since the run began (across resumes).
    public var elapsed: Double
    /// The epoch's batches trained when the run's time budget ended training in it (the run's
    /// last epoch, whose remaining batches were skipped; all of them when the budget ran out at
    /// its end); nil for every other epoch.
    public var stoppedAtBatch: Int?

    public init(epoch: Int, trainPerplexity: Double, validationPerplexity: Double?, tokensPerSecond: Double,
                learningRate: Double, elapsed: Double, stoppedAtBatch: Int? = nil) {
        self.epoch = epoch
        self.trainPerplexity = trainPerplexity
        self.validationPerplexity = validationPerplexity
        self.tokensPerSecond = tokensPerSecond
        self.learningRate = learningRate
        self.elapsed = elapsed
        self.stoppedAtBatch = stoppedAtBatch
    }

    enum CodingKeys: String, CodingKey {
        case epoch, trainPerplexity = "train_ppl", validationPerplexity = "val_ppl",
             tokensPerSecond = "tokens_per_second", learningRate = "lr", elapsed = "seconds",
             stoppedAtBatch = "stopped_at_batch"
    }
}
