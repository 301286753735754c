import LMModelFiles
import LMSettings

/// The learning-rate schedule: sets each epoch's rate at its start, and after it carries the
/// schedule's state (``ScheduleState``: `exponential`'s rate, `plateau`'s best and bad epochs)
/// forward from the epoch's metric (validation perplexity, else training). A schedule that
/// follows the run's progress (`cosine`, `linear`) sets the rate before every step instead,
/// from ``Trainer/progress(beforeWindow:)``.
final class ScheduleHook: TrainingHook {
    let schedule: LearningRateSchedule
    /// The rate the schedule starts from.
    let base: Double

    init(_ schedule: LearningRateSchedule, base: Double) {
        self.schedule = schedule
        self.base = base
    }

    func epochStarted(_ trainer: Trainer) {
        trainer.optimizer.learningRate = schedule.rate(progress: trainer.progress(beforeWindow: trainer.windowsDone), base: base)
            ?? schedule.rate(epoch: trainer.state.epoch + 1, base: base, state: trainer.state.schedule)
    }

    /// The rate of the next step (called before the step's window is counted).
    func stepFinished(_ trainer: Trainer) {
        guard schedule.followsProgress, let rate = schedule.rate(progress: trainer.progress(beforeWindow: trainer.windowsDone + 1), base: base) else { return }
        trainer.optimizer.learningRate = rate
    }

    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {
        trainer.state.schedule = schedule.state(after: report.epoch, metric: report.validationPerplexity ?? report.trainPerplexity,
                                                base: base, state: trainer.state.schedule)
    }
}
