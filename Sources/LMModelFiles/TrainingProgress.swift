import Foundation

/// Where a run is while it trains (for status lines).
public struct TrainingProgress: Sendable {
    /// 1-based epoch in progress, and the total.
    public var epoch: Int
    public var epochs: Int
    /// Batches done in this epoch, and per epoch.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// exp(mean loss) of the epoch so far.
    public var perplexity: Double
    /// Training tokens per second in this epoch.
    public var tokensPerSecond: Double
    /// Estimated seconds left in the run.
    public var secondsLeft: Double

    public init(epoch: Int, epochs: Int, batch: Int, batchesPerEpoch: Int, perplexity: Double,
                tokensPerSecond: Double, secondsLeft: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.perplexity = perplexity
        self.tokensPerSecond = tokensPerSecond
        self.secondsLeft = secondsLeft
    }
}

extension TrainingProgress {
    /// A rate as status lines print it: "96.2k", "870".
    public static func rate(_ value: Double) -> String {
        value >= 1000 ? String(format: "%.1fk", value / 1000) : String(format: "%.0f", value)
    }

    /// Seconds as status lines print them: "2m13s", "1h5m", "42s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
