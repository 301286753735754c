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

    public init(epoch: Int, trainPerplexity: Double, validationPerplexity: Double?, tokensPerSecond: Double,
                learningRate: Double, elapsed: Double) {
        self.epoch = epoch
        self.trainPerplexity = trainPerplexity
        self.validationPerplexity = validationPerplexity
        self.tokensPerSecond = tokensPerSecond
        self.learningRate = learningRate
        self.elapsed = elapsed
    }

    enum CodingKeys: String, CodingKey {
        case epoch, trainPerplexity = "train_ppl", validationPerplexity = "val_ppl",
             tokensPerSecond = "tokens_per_second", learningRate = "lr", elapsed = "seconds"
    }
}
