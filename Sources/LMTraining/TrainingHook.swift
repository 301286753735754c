import LMModelFiles

/// A part of a training run that acts at the loop's fixed points: the time budget, the
/// learning-rate schedule, validation, NT-ASGD, the log and curve, checkpoints, samples,
/// data-parallel synchronisation. ``Trainer`` calls every hook at each point, in its order; a hook keeps
/// its carried state as a typed part of ``TrainerState`` (the schedule's ``ScheduleState``,
/// NT-ASGD's ``AveragingState``), so checkpoints save it and resume restores it. Every
/// method does nothing by default.
protocol TrainingHook: AnyObject {
    /// Before the first step of ``Trainer/train()`` (after any resume).
    func trainingStarted(_ trainer: Trainer) throws
    /// Before an epoch's first batch (or the first after a resume part-way through it).
    func epochStarted(_ trainer: Trainer)
    /// After every training step (the optimizer's update). Runs once per batch: no allocation.
    func stepFinished(_ trainer: Trainer)
    /// At the end of an epoch, before its counters close: adds its measurements to `report`.
    func epochMeasured(_ report: inout EpochReport, _ trainer: Trainer) throws
    /// After an epoch, with its counters closed (`trainer.state.epoch` is `report.epoch`).
    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws
    /// A checkpoint is being written: adds the hook's tensors (its state is in `state`).
    func saving(_ state: inout TrainerState, tensors: inout [SafeTensors.Tensor], _ trainer: Trainer)
    /// A checkpoint was loaded (resume, or rank 0's state at a data-parallel start), before
    /// it becomes `trainer.state`.
    func restored(_ state: TrainerState, tensors: [String: SafeTensors.Tensor], _ trainer: Trainer) throws
}

extension TrainingHook {
    func trainingStarted(_ trainer: Trainer) throws {}
    func epochStarted(_ trainer: Trainer) {}
    func stepFinished(_ trainer: Trainer) {}
    func epochMeasured(_ report: inout EpochReport, _ trainer: Trainer) throws {}
    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {}
    func saving(_ state: inout TrainerState, tensors: inout [SafeTensors.Tensor], _ trainer: Trainer) {}
    func restored(_ state: TrainerState, tensors: [String: SafeTensors.Tensor], _ trainer: Trainer) throws {}
}
