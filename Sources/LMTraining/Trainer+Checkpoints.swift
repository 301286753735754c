import LMModelFiles
import LMSettings

extension Trainer {
    /// Runs `body` with the weights that validation, test, samples and `model.safetensors`
    /// use: NT-ASGD's average once it has started, else the model's own; the training
    /// weights are back in place after.
    public func withEvaluationWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let averaging else { return try body() }
        return try averaging.withAverage(body)
    }

    /// Continues from a checkpoint in the run directory: the newest one that reads intact
    /// (a damaged newer one is renamed `<name>.damaged` and noted), or `best.safetensors`
    /// (regular checkpoints after it are deleted and noted); with no checkpoint at all, the
    /// fresh model (epoch 0). Then prunes to `--keep`.
    /// - Returns: the checkpoint's path and the notes.
    @discardableResult
    public func resume(from point: ResumePoint = .newest) throws -> ResumeOrigin {
        let origin = try checkpoints.resume(from: point, self)
        try sampler.restore(state.sampler)
        log.resumed(through: state.epoch)
        try checkpoints.prune(self)
        return origin
    }

    /// The state and tensors a checkpoint written now holds: the trainer's state with the
    /// sampler's position, the learning rate and the optimizer's state brought up to date,
    /// the optimizer's tensors, and every hook's part.
    func checkpointContents() -> (state: TrainerState, tensors: [SafeTensors.Tensor]) {
        state.sampler = sampler.position
        state.learningRate = optimizer.learningRate
        state.optimizer = optimizer.checkpointState
        var saved = state
        var tensors = optimizer.stateTensors(for: model.parameters)
        for hook in hooks { hook.saving(&saved, tensors: &tensors, self) }
        return (saved, tensors)
    }

    /// Loads the checkpoint at `path` (weights and carried state into the model, the rest
    /// into the optimizer, the hooks and ``state``); the sampler's position is left to the caller.
    func load(_ path: String) throws {
        let (restored, tensors) = try TrainingCheckpoint.read(from: path, model: model, like: state)
        try restore(restored, tensors: tensors)
    }

    /// Takes `restored` and the checkpoint's `tensors` as where training stands: the
    /// optimizer's state and rate, the hooks' parts, and ``state``.
    func restore(_ restored: TrainerState, tensors: [String: SafeTensors.Tensor]) throws {
        try optimizer.restore(tensors: tensors, state: restored.optimizer, parameters: model.parameters)
        optimizer.learningRate = restored.learningRate
        for hook in hooks { try hook.restored(restored, tensors: tensors, self) }
        state = restored
    }
}
