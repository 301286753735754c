import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s optimizer flags: the ``TrainingSettings/optimizer`` part.
public struct OptimizerOptions: ParsableArguments {
    public init() {}

    @OptionGroup var update: UpdateOptions
    @Option(parsing: .unconditional, help: "RMSProp's squared-gradient averaging factor (default 0.9; char-rnn 0.95).") var rmspropDecay: Double?
    @Option(parsing: .unconditional, help: "Weight decay on every parameter: L2 for sgd and rmsprop, decoupled (AdamW) for adam (default 0).") var weightDecay: Double?
    @Flag(help: "NT-ASGD (AWD-LSTM, sgd only): average the weights once validation stops improving; evaluation uses the average.") var asgd = false
    @Option(parsing: .unconditional, help: "--asgd: start averaging when validation is worse than the best of the epochs more than N epochs ago (default 5).") var asgdNonmono: Int?

    public func validate() throws {
        if asgdNonmono != nil && !asgd { throw ValidationError("--asgd-nonmono needs --asgd") }
    }

    /// The optimizer settings the flags give (the rule's own learning rate when `--lr` is not given).
    public var settings: OptimizerSettings {
        var settings = OptimizerSettings(kind: update.optimizer ?? .sgd)
        if let lr = update.lr { settings.lr = lr }
        settings.momentum = update.momentum
        settings.nesterov = update.nesterov
        settings.rmspropDecay = rmspropDecay
        settings.weightDecay = weightDecay ?? 0
        settings.clip = update.clipNorm
        settings.asgd = asgd ? OptimizerSettings.Averaging(nonmonotone: asgdNonmono ?? 5) : nil
        return settings
    }
}
