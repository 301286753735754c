import LMModelFiles
import LMModels
import LMTensor

/// A checkpoint with the optimizer in it: the `CheckpointFile` format, with the optimizer's
/// state as its extra tensors (`optimizer.*`) and scalars (in the `TrainerState`).
public enum Checkpoint {
    /// Writes a checkpoint to `path`.
    public static func write(to path: String, model: RecurrentLM<Float>, optimizer: any Optimizer, state: TrainerState) throws {
        try CheckpointFile.write(to: path, model: model, extra: optimizer.stateTensors(for: model.parameters), state: state)
    }

    /// Loads a checkpoint into `model` and `optimizer` and returns the trainer state.
    public static func read(from path: String, model: RecurrentLM<Float>, optimizer: inout any Optimizer) throws -> TrainerState {
        let (state, tensors) = try CheckpointFile.read(from: path, into: model, extraPrefixes: ["optimizer."])
        try optimizer.restore(tensors: tensors, scalars: state.optimizerScalars, parameters: model.parameters)
        optimizer.learningRate = state.learningRate
        return state
    }
}
