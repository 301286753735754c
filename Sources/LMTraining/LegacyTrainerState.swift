/// A checkpoint's trainer state as LMKit wrote it before the state was typed: the sampler's
/// position as JSON in a string, the optimizer's scalars (and NT-ASGD's `asgd.*`) in a
/// dictionary. Read so that those checkpoints still resume.
public struct LegacyTrainerState: Decodable, Sendable {
    public var epoch: Int
    public var batchInEpoch: Int
    public var sampler: String
    public var lossSum: Double
    public var tokenCount: Int
    public var elapsed: Double
    public var bestPerplexity: Double?
    public var bestEpoch: Int?
    public var learningRate: Double
    public var optimizerScalars: [String: Double]
    public var schedule: ScheduleState?
    public var averaging: AveragingState?
    public var windowsTrained: UInt64?

    /// The typed state, reading the sampler and optimizer parts as those of `current` (the
    /// run's own state, whose cases say which sampler and optimizer the run has).
    /// - Throws: ``TrainingError/resumeMismatch(_:)`` when the sampler's JSON is another sampler's.
    public func upgraded(like current: TrainerState) throws -> TrainerState {
        var state = TrainerState(sampler: try SamplerPosition(legacyJSON: sampler, like: current.sampler), learningRate: learningRate,
                                 optimizer: OptimizerState(legacyScalars: optimizerScalars, like: current.optimizer))
        state.epoch = epoch
        state.batchInEpoch = batchInEpoch
        state.lossSum = lossSum
        state.tokenCount = tokenCount
        state.elapsed = elapsed
        state.bestPerplexity = bestPerplexity
        state.bestEpoch = bestEpoch
        state.schedule = schedule
        state.windowsTrained = windowsTrained
        state.averaging = averaging
        if current.averaging != nil || optimizerScalars["asgd.averaging"] != nil {
            var averaging = averaging ?? AveragingState()
            averaging.updates = Int(optimizerScalars["asgd.updates"] ?? 0)
            state.averaging = averaging
        }
        return state
    }
}
