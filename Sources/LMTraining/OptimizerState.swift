/// An optimizer's scalar state in a checkpoint, by optimizer (its per-parameter state is
/// tensors, `optimizer.<slot>.<parameter>`).
public enum OptimizerState: Codable, Equatable, Sendable {
    case sgd
    /// Adam's updates so far (t, for the bias correction).
    case adam(steps: Int)
    case rmsprop

    /// The state as checkpoints before typed state wrote it (`optimizerScalars`: Adam's
    /// `steps`, nothing for the others), for the optimizer whose state is `like`.
    public init(legacyScalars scalars: [String: Double], like current: OptimizerState) {
        switch current {
        case .sgd: self = .sgd
        case .adam: self = .adam(steps: Int(scalars["steps"] ?? 0))
        case .rmsprop: self = .rmsprop
        }
    }
}
