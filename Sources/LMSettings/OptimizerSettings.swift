/// How the weights are updated (``TrainingSettings/optimizer``): the rule, its rate and
/// constants, weight decay, gradient clipping, and NT-ASGD's averaging.
public struct OptimizerSettings: Codable, Equatable, Sendable {
    /// The update rule.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Plain SGD, as d2l's `sgd`.
        case sgd
        /// Adam (Kingma & Ba), as Chainer's PTB example.
        case adam
        /// RMSProp, with optional Nesterov momentum (the binary-addition tutorial).
        case rmsprop

        /// The learning rate when none is given: 1 for SGD (d2l), 0.001 for Adam, 0.01 for RMSProp.
        public var defaultLearningRate: Double {
            switch self { case .sgd: 1; case .adam: 0.001; case .rmsprop: 0.01 }
        }
    }

    /// NT-ASGD (AWD-LSTM, SGD only): average the weights once validation stops improving.
    public struct Averaging: Codable, Equatable, Sendable {
        /// Averaging starts once the validation loss is worse than the best of the epochs
        /// more than this many epochs ago (AWD-LSTM's `nonmono`).
        public var nonmonotone = 5
        public init(nonmonotone: Int = 5) { self.nonmonotone = nonmonotone }
    }

    public var kind: Kind
    /// Learning rate (the schedule's base rate).
    public var lr: Double
    /// RMSProp momentum (0 = none) and whether it is Nesterov's.
    public var momentum: Double = 0
    public var nesterov = false
    /// RMSProp's moving-average factor for squared gradients (nil: 0.9; char-rnn uses 0.95).
    public var rmspropDecay: Double?
    /// Weight decay on every parameter: L2 in the gradient for SGD and RMSProp, decoupled
    /// for Adam (AdamW); 0 for none.
    public var weightDecay: Double = 0
    /// Global gradient-norm bound θ; nil for no clipping.
    public var clip: Double? = 1
    /// NT-ASGD's averaging; nil for none.
    public var asgd: Averaging?

    /// Settings for `kind` at its default learning rate.
    public init(kind: Kind = .sgd) {
        self.kind = kind
        lr = kind.defaultLearningRate
    }

    /// Throws ``SettingsError`` (keys `optimizer.*`) for a setting that cannot work.
    public func validate() throws {
        if !(lr > 0 && lr.isFinite) { throw SettingsError(.outOfRange, "optimizer.lr", "\(setting: "optimizer.lr") must be positive (got \(lr))") }
        if let clip, !(clip > 0 && clip.isFinite) {
            throw SettingsError(.outOfRange, "optimizer.clip", "\(setting: "optimizer.clip") must be positive and finite (got \(clip)); turn clipping off instead")
        }
        if !(0..<1).contains(momentum) {
            throw SettingsError(.outOfRange, "optimizer.momentum", "\(setting: "optimizer.momentum") must be in [0, 1) (got \(momentum))")
        }
        if !(weightDecay >= 0 && weightDecay.isFinite) {
            throw SettingsError(.outOfRange, "optimizer.weightDecay", "\(setting: "optimizer.weightDecay") must be 0 or more (got \(weightDecay))")
        }
        if let asgd {
            if kind != .sgd {
                throw SettingsError(.requires, "optimizer.asgd", "\(setting: "optimizer.asgd") averages SGD's iterates; it needs \(setting: "optimizer.kind") sgd (got \(kind.rawValue))")
            }
            try SettingsError.atLeast(1, asgd.nonmonotone, "optimizer.asgd.nonmonotone", unit: " epoch")
        }
        if let rmspropDecay, !(0..<1).contains(rmspropDecay) {
            throw SettingsError(.outOfRange, "optimizer.rmspropDecay", "\(setting: "optimizer.rmspropDecay") must be in [0, 1) (got \(rmspropDecay))")
        }
        if rmspropDecay != nil && kind != .rmsprop {
            throw SettingsError(.requires, "optimizer.rmspropDecay", "\(setting: "optimizer.rmspropDecay") applies to \(setting: "optimizer.kind") rmsprop only")
        }
    }
}
