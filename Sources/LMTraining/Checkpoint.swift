import Foundation
import LMModelFiles
import LMModels
import LMTensor

/// A checkpoint with the optimizer in it: the `CheckpointFile` format, with the optimizer's
/// state as its extra tensors (`optimizer.*`) and scalars (in the `TrainerState`).
public enum Checkpoint {
    /// Writes a checkpoint to `path`, with the carried state `hidden` (default: the model's).
    public static func write(to path: String, model: RecurrentLM<Float>, optimizer: any Optimizer, state: TrainerState,
                             hidden: [Matrix<Float>]? = nil) throws {
        try CheckpointFile.write(to: path, model: model, extra: optimizer.stateTensors(for: model.parameters), state: state, hidden: hidden)
    }

    /// A checkpoint's bytes, as ``write(to:model:optimizer:state:hidden:)`` would write them.
    public static func encode(model: RecurrentLM<Float>, optimizer: any Optimizer, state: TrainerState,
                              hidden: [Matrix<Float>]? = nil) throws -> Data {
        try CheckpointFile.encode(model: model, extra: optimizer.stateTensors(for: model.parameters), state: state, hidden: hidden)
    }

    /// Loads a checkpoint into `model` and `optimizer` and returns the trainer state.
    public static func read(from path: String, model: RecurrentLM<Float>, optimizer: inout any Optimizer) throws -> TrainerState {
        let (state, tensors) = try CheckpointFile.read(from: path, into: model, extraPrefixes: ["optimizer."])
        return try restore(optimizer: &optimizer, state: state, tensors: tensors, parameters: model.parameters)
    }

    /// Loads checkpoint bytes (``encode(model:optimizer:state:hidden:)``) as ``read(from:model:optimizer:)``
    /// loads a file; `origin` names them in errors.
    public static func decode(_ data: Data, origin: String, model: RecurrentLM<Float>, optimizer: inout any Optimizer) throws -> TrainerState {
        let (state, tensors) = try CheckpointFile.decode(data, path: origin, into: model, extraPrefixes: ["optimizer."])
        return try restore(optimizer: &optimizer, state: state, tensors: tensors, parameters: model.parameters)
    }

    private static func restore(optimizer: inout any Optimizer, state: TrainerState, tensors: [String: SafeTensors.Tensor],
                                parameters: [Parameter<Float>]) throws -> TrainerState {
        try optimizer.restore(tensors: tensors, scalars: state.optimizerScalars, parameters: parameters)
        optimizer.learningRate = state.learningRate
        return state
    }
}
