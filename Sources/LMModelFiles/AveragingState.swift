/// Where NT-ASGD's non-monotone trigger stands (Merity et al. 2018): the metric of every epoch
/// before averaging began, and the epoch after which it began. In `TrainerState`.
public struct AveragingState: Codable, Equatable, Sendable {
    /// Validation perplexity (training, without validation) of epochs 1, 2, … before the trigger.
    public var history: [Double]
    /// The epoch at whose end averaging began; nil while SGD is plain.
    public var triggerEpoch: Int?

    public init(history: [Double] = [], triggerEpoch: Int? = nil) {
        self.history = history
        self.triggerEpoch = triggerEpoch
    }

    /// AWD-LSTM's condition at the end of an epoch with `metric`, before it joins `history`:
    /// more than `nonmonotone` earlier epochs, and `metric` worse than the best of all but the
    /// last `nonmonotone` of them (`val_loss > min(best_val_loss[:-nonmono])`).
    public func triggers(metric: Double, nonmonotone: Int) -> Bool {
        guard triggerEpoch == nil, history.count > nonmonotone else { return false }
        return metric > history[..<(history.count - nonmonotone)].min()!
    }
}
