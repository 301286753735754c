import ArgumentParser
import LMModelFiles
import LMSettings
import LMText

/// `lm-train`'s learning-rate schedule flags: ``TrainingSettings/schedule``.
public struct ScheduleOptions: ParsableArguments {
    public init() {}

    @Option(help: "Learning-rate decay FACTOR:EPOCHS, e.g. 0.5:100 halves it every 100 epochs.") var lrDecay: String?
    @Option(help: "Learning-rate schedule: step:FACTOR:EVERY, after:N:FACTOR (Zaremba: after:4:0.5), exponential:N:FACTOR (char-rnn: exponential:10:0.97) or plateau:FACTOR[:PATIENCE] (PyTorch: plateau:0.25).") var lrSchedule: String?

    public func validate() throws {
        if let lrDecay, TrainingOptions.Decay(parsing: lrDecay) == nil { throw ValidationError("--lr-decay takes FACTOR:EPOCHS, e.g. 0.5:100") }
        if let lrSchedule, LearningRateSchedule(parsing: lrSchedule) == nil {
            throw ValidationError("--lr-schedule cannot read \"\(lrSchedule)\"; give \(LearningRateSchedule.forms), e.g. after:4:0.5")
        }
        if lrDecay != nil && lrSchedule != nil {
            throw ValidationError("--lr-decay and --lr-schedule exclude each other (--lr-decay F:E is --lr-schedule step:F:E)")
        }
    }

    /// The schedule the flags give: `--lr-schedule`, or `--lr-decay F:E` as `step:F:E`; nil for a constant rate.
    public var schedule: LearningRateSchedule? {
        lrSchedule.flatMap(LearningRateSchedule.init(parsing:))
            ?? lrDecay.flatMap(TrainingOptions.Decay.init(parsing:)).map { .step(factor: $0.factor, every: $0.every) }
    }
}
