import LMModelFiles

extension TrainingOptions {
    /// Throws `TrainingError.invalidSetting` for a setting that cannot work.
    public func validate() throws {
        func bad(_ message: String) -> TrainingError { .invalidSetting(message) }
        if batch < 1 { throw bad("--batch must be at least 1 (got \(batch))") }
        if let evalBatch, evalBatch < 1 { throw bad("--eval-batch must be at least 1 (got \(evalBatch))") }
        if steps < 1 { throw bad("--steps must be at least 1 (got \(steps))") }
        if epochs < 1 { throw bad("--epochs must be at least 1 (got \(epochs))") }
        if !(lr > 0 && lr.isFinite) { throw bad("--lr must be positive (got \(lr))") }
        if let clip, !(clip > 0) { throw bad("--clip must be positive (got \(clip)); use --no-clip to turn clipping off") }
        if let maxTokens, maxTokens < 2 { throw bad("--max-tokens must be at least 2 (got \(maxTokens))") }
        if !(0..<1).contains(validationFraction) { throw bad("--val-fraction must be in [0, 1) (got \(validationFraction))") }
        if !(0..<1).contains(momentum) { throw bad("--momentum must be in [0, 1) (got \(momentum))") }
        if let decay, !(decay.factor > 0 && decay.factor <= 1 && decay.every >= 1) {
            throw bad("--lr-decay needs a factor in (0, 1] and a period ≥ 1 epoch")
        }
        if decay != nil && schedule != nil { throw bad("--lr-decay and --lr-schedule exclude each other (--lr-decay F:E is --lr-schedule step:F:E)") }
        if let schedule {
            guard schedule.factor > 0 && schedule.factor <= 1 else {
                throw bad("--lr-schedule \(schedule.text): the factor must be in (0, 1]")
            }
            switch schedule {
            case let .step(_, every) where every < 1: throw bad("--lr-schedule \(schedule.text): the period must be at least 1 epoch")
            case let .after(epochs, _) where epochs < 0, let .exponential(epochs, _) where epochs < 0:
                throw bad("--lr-schedule \(schedule.text): the epoch must be at least 0")
            case let .plateau(_, patience) where patience < 0: throw bad("--lr-schedule \(schedule.text): the patience must be at least 0")
            default: break
            }
        }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) { throw bad("--weight-decay must be 0 or more (got \(weightDecay))") }
        if let asgdNonmonotone {
            if optimizer != .sgd { throw bad("--asgd averages SGD's iterates; it needs --optimizer sgd (got \(optimizer.rawValue))") }
            if asgdNonmonotone < 1 { throw bad("--asgd-nonmono must be at least 1 epoch (got \(asgdNonmonotone))") }
        }
        if let rmspropDecay, !(0..<1).contains(rmspropDecay) { throw bad("--rmsprop-decay must be in [0, 1) (got \(rmspropDecay))") }
        if rmspropDecay != nil && optimizer != .rmsprop { throw bad("--rmsprop-decay applies to --optimizer rmsprop only") }
        if checkpointEvery < 1 { throw bad("--checkpoint-every must be at least 1") }
        if keep < 1 { throw bad("--keep must be at least 1") }
    }
}
