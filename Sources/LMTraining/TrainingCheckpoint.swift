import Foundation
import LMModelFiles
import LMModels
import LMTensor

/// A training checkpoint: the ``CheckpointFile`` format with the trainer's typed state
/// (``TrainerState``, JSON in the metadata) and the optimizer's and NT-ASGD's tensors
/// (`optimizer.*`). Reads checkpoints written before the state was typed too
/// (``LegacyTrainerState``).
public enum TrainingCheckpoint {
    /// Writes a checkpoint to `path`: `model`'s weights, `tensors`, `state`, and the carried
    /// state `hidden` (default: the model's).
    public static func write(to path: String, model: RecurrentLM<Float>, tensors: [SafeTensors.Tensor], state: TrainerState,
                             hidden: [Matrix<Float>]? = nil) throws {
        try CheckpointFile.write(to: path, model: model, extra: tensors, state: try json(state), hidden: hidden)
    }

    /// A checkpoint's bytes, as ``write(to:model:tensors:state:hidden:)`` would write them.
    public static func encode(model: RecurrentLM<Float>, tensors: [SafeTensors.Tensor], state: TrainerState,
                              hidden: [Matrix<Float>]? = nil) throws -> Data {
        try CheckpointFile.encode(model: model, extra: tensors, state: try json(state), hidden: hidden)
    }

    /// Loads a checkpoint's weights and carried state into `model`; `current` (the run's own
    /// state) says which sampler and optimizer an old checkpoint's untyped state belongs to.
    /// - Returns: the trainer state and the `optimizer.*` tensors by name.
    public static func read(from path: String, model: RecurrentLM<Float>, like current: TrainerState)
        throws -> (state: TrainerState, tensors: [String: SafeTensors.Tensor]) {
        try CheckpointFile.read(from: path, into: model, extraPrefixes: ["optimizer."]) { try state($0, path: path, like: current) }
    }

    /// Loads a checkpoint's weights into `model` as evaluation uses them: NT-ASGD's average
    /// (`optimizer.ax.*`) once averaging had begun, else the weights themselves (and the
    /// carried state, as ``read(from:model:like:)``).
    /// - Returns: the checkpoint's trainer state.
    public static func readEvaluationWeights(from path: String, into model: RecurrentLM<Float>, like current: TrainerState) throws -> TrainerState {
        let (state, tensors) = try read(from: path, model: model, like: current)
        if state.averaging?.isAveraging == true {
            let averaged = model.parameters.compactMap { parameter in
                tensors["optimizer.ax." + parameter.name].map { SafeTensors.Tensor(name: parameter.name, shape: $0.shape, values: $0.values) }
            }
            try RunDirectory.assign(averaged, to: model, path: path)
        }
        return state
    }

    /// Loads checkpoint bytes (``encode(model:tensors:state:hidden:)``) as ``read(from:model:like:)``
    /// loads a file; `origin` names them in errors.
    public static func decode(_ data: Data, origin: String, model: RecurrentLM<Float>, like current: TrainerState)
        throws -> (state: TrainerState, tensors: [String: SafeTensors.Tensor]) {
        try CheckpointFile.decode(data, path: origin, into: model, extraPrefixes: ["optimizer."]) { try state($0, path: origin, like: current) }
    }

    /// The metadata's JSON, keys sorted.
    private static func json(_ state: TrainerState) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }

    /// The trainer state in `json`: typed, or as written before it was typed.
    private static func state(_ json: String, path: String, like current: TrainerState) throws -> TrainerState {
        let data = Data(json.utf8), decoder = JSONDecoder()
        if let state = try? decoder.decode(TrainerState.self, from: data) { return state }
        guard let legacy = try? decoder.decode(LegacyTrainerState.self, from: data) else { throw CheckpointFile.notACheckpoint(path) }
        return try legacy.upgraded(like: current)
    }
}
