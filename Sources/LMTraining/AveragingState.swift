/// Where NT-ASGD stands (Merity et al. 2018): the metric of every epoch before averaging
/// began, the epoch after which it began, and the updates averaged since. In `TrainerState`,
/// with the average itself as the checkpoint's `optimizer.ax.*` tensors.
public struct AveragingState: Codable, Equatable, Sendable {
    /// Validation perplexity (training, without validation) of epochs 1, 2, … before the trigger.
    public var history: [Double]
    /// The epoch at whose end averaging began; nil while SGD is plain.
    public var triggerEpoch: Int?
    /// Updates averaged since the trigger (``WeightAverage/updates``).
    public var updates: Int

    public init(history: [Double] = [], triggerEpoch: Int? = nil, updates: Int = 0) {
        self.history = history
        self.triggerEpoch = triggerEpoch
        self.updates = updates
    }

    /// Whether averaging has begun.
    public var isAveraging: Bool { triggerEpoch != nil }

    /// AWD-LSTM's condition at the end of an epoch with `metric`, before it joins `history`:
    /// more than `nonmonotone` earlier epochs, and `metric` worse than the best of all but the
    /// last `nonmonotone` of them (`val_loss > min(best_val_loss[:-nonmono])`).
    public func triggers(metric: Double, nonmonotone: Int) -> Bool {
        guard triggerEpoch == nil, history.count > nonmonotone,
              let best = history[..<(history.count - nonmonotone)].min() else { return false }
        return metric > best
    }

    private enum CodingKeys: String, CodingKey { case history, triggerEpoch, updates }

    /// Reads checkpoints written before `updates` was recorded here (it then counts 0 until
    /// the optimizer's legacy scalars fill it in).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        history = try container.decode([Double].self, forKey: .history)
        triggerEpoch = try container.decodeIfPresent(Int.self, forKey: .triggerEpoch)
        updates = try container.decodeIfPresent(Int.self, forKey: .updates) ?? 0
    }
}
