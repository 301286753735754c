import ArgumentParser
import LMSettings

/// `lm-train CORPUS [options]`'s flags, a group for each part of ``TrainingSettings``; a
/// recipe file (``Recipe``) is a list of these flags.
public struct TrainingCommandOptions: ParsableArguments {
    public init() {}

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Dropout (training windows only; evaluation and generation never drop)") var dropout: DropoutOptions
    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Optimizer") var optimizer: OptimizerOptions
    @OptionGroup(title: "Learning-rate schedule") var schedule: ScheduleOptions
    @OptionGroup(title: "Run") var run: RunOptions
    @OptionGroup(title: "Test-time gains (the final test)") var gains: GainsOptions

    /// The settings the flags give, not yet validated (``TrainingSettings/validate()`` does that).
    public var settings: TrainingSettings {
        var settings = TrainingSettings(model: model.model(dropout: dropout), data: data.data, optimizer: optimizer.settings,
                                        schedule: schedule.schedule, run: run.run)
        settings.gains = gains.gains
        return settings
    }
}
