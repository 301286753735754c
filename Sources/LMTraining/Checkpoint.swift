import Foundation
import LMModels
import LMTensor
import LMText

/// Where training stands, beyond the tensors: enough to continue exactly.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Completed epochs.
    public var epoch: Int
    /// Batches done in the current (unfinished) epoch; 0 at an epoch boundary.
    public var batchInEpoch: Int
    /// The sampler's position (JSON).
    public var sampler: String
    /// The current epoch's running sums so far: loss × tokens and tokens.
    public var lossSum: Double
    public var tokenCount: Int
    /// Training seconds so far.
    public var elapsed: Double
    /// Best validation (or training, without validation) perplexity and its epoch.
    public var bestPerplexity: Double?
    public var bestEpoch: Int?
    public var learningRate: Double
    public var optimizerScalars: [String: Double]
}

/// One checkpoint file: a safetensors file holding the weights (named as the parameters),
/// the optimizer state (`optimizer.*`), the carried hidden state (`state.<k>`) and, in the
/// metadata, the `TrainerState` as JSON. Written atomically.
public enum Checkpoint {
    /// Writes a checkpoint to `path`.
    public static func write(to path: String, model: RecurrentLM<Float>, optimizer: any Optimizer, state: TrainerState) throws {
        var tensors = RunDirectory.tensors(of: model)
        tensors += optimizer.stateTensors(for: model.parameters)
        for (index, matrix) in model.state.enumerated() where matrix.rows > 0 {
            tensors.append(SafeTensors.Tensor(name: "state.\(index)", shape: [matrix.rows, matrix.cols], values: matrix.storage))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = ["format": "lmkit-checkpoint", "trainer": String(decoding: try encoder.encode(state), as: UTF8.self)]
        try AtomicFile.write(try SafeTensors.encode(tensors, metadata: metadata), to: path)
    }

    /// Loads a checkpoint into `model` and `optimizer` and returns the trainer state.
    public static func read(from path: String, model: RecurrentLM<Float>, optimizer: inout any Optimizer) throws -> TrainerState {
        let (tensors, metadata) = try SafeTensors.read(from: path)
        guard metadata["format"] == "lmkit-checkpoint", let json = metadata["trainer"],
              let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8)) else {
            throw TrainingError.badSafeTensors(path: path, reason: "it is not an LMKit checkpoint (no trainer state in its metadata)")
        }
        let weights = tensors.filter { !$0.name.hasPrefix("optimizer.") && !$0.name.hasPrefix("state.") }
        try RunDirectory.assign(weights, to: model, path: path)
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        try optimizer.restore(tensors: byName, scalars: state.optimizerScalars, parameters: model.parameters)
        optimizer.learningRate = state.learningRate
        let hidden = tensors.filter { $0.name.hasPrefix("state.") }
        if hidden.isEmpty {
            model.resetState()
        } else {
            try model.setState(try hidden.map { try Matrix(rows: $0.shape[0], cols: $0.shape[1], storage: $0.values) })
        }
        return state
    }
}
