import Foundation
import LMFileSystem
import LMModels
import LMTensor
import LMText

/// The checkpoint file format: a safetensors file holding the model's weights (named as the
/// parameters), extra named tensors (the optimizer's `optimizer.*`), the carried hidden state
/// (`state.<k>`) and, in the metadata, the trainer's state (`trainer`, JSON; its owner encodes
/// and decodes it). Written atomically.
public enum CheckpointFile {
    /// The value of the metadata's `format` that marks a checkpoint.
    public static let formatName = "lmkit-checkpoint"

    /// Writes `model`'s weights, `extra` and the carried state (`hidden`, or the model's own),
    /// with `state` (the trainer state's JSON) in the metadata, to `path`.
    public static func write(to path: String, model: RecurrentLM<Float>, extra: [SafeTensors.Tensor], state: String,
                             hidden: [Matrix<Float>]? = nil) throws {
        try AtomicFile.write(try encode(model: model, extra: extra, state: state, hidden: hidden), to: path)
    }

    /// The bytes ``write(to:model:extra:state:hidden:)`` writes.
    public static func encode(model: RecurrentLM<Float>, extra: [SafeTensors.Tensor], state: String,
                              hidden: [Matrix<Float>]? = nil) throws -> Data {
        var tensors = RunDirectory.tensors(of: model)
        tensors += extra
        for (index, matrix) in (hidden ?? model.state).enumerated() where matrix.rows > 0 {
            tensors.append(SafeTensors.Tensor(name: "state.\(index)", shape: [matrix.rows, matrix.cols], values: matrix.storage))
        }
        let metadata = ["format": formatName, "trainer": state]
        return try SafeTensors.encode(tensors, metadata: metadata)
    }

    /// Reads the checkpoint at `path`: loads its weights into `model` (every parameter with its
    /// shape; only `extraPrefixes`-named tensors and `state.<k>` besides), then its carried
    /// state (or resets the model's state when it has none). `decode` reads the trainer state's
    /// JSON first, so a checkpoint whose state does not read leaves `model` as it was.
    /// - Returns: the decoded trainer state and every tensor by name (for the extras' owner).
    public static func read<State>(from path: String, into model: RecurrentLM<Float>, extraPrefixes: [String],
                                   state decode: (String) throws -> State) throws -> (state: State, tensors: [String: SafeTensors.Tensor]) {
        let (tensors, metadata) = try SafeTensors.read(from: path)
        return try load(tensors, metadata: metadata, path: path, into: model, extraPrefixes: extraPrefixes, state: decode)
    }

    /// Reads checkpoint bytes (from ``encode(model:extra:state:hidden:)``) as
    /// ``read(from:into:extraPrefixes:)`` reads a file; `path` names them in errors.
    public static func decode<State>(_ data: Data, path: String, into model: RecurrentLM<Float>, extraPrefixes: [String],
                                     state decode: (String) throws -> State) throws -> (state: State, tensors: [String: SafeTensors.Tensor]) {
        let (tensors, metadata) = try SafeTensors.decode(data, path: path)
        return try load(tensors, metadata: metadata, path: path, into: model, extraPrefixes: extraPrefixes, state: decode)
    }

    private static func load<State>(_ tensors: [SafeTensors.Tensor], metadata: [String: String], path: String,
                                    into model: RecurrentLM<Float>, extraPrefixes: [String],
                                    state decode: (String) throws -> State) throws -> (state: State, tensors: [String: SafeTensors.Tensor]) {
        guard metadata["format"] == formatName, let json = metadata["trainer"] else {
            throw notACheckpoint(path)
        }
        let state = try decode(json)
        let prefixes = extraPrefixes + ["state."]
        let weights = tensors.filter { tensor in !prefixes.contains { tensor.name.hasPrefix($0) } }
        try RunDirectory.assign(weights, to: model, path: path)
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let hidden = tensors.filter { $0.name.hasPrefix("state.") }
        if hidden.isEmpty {
            model.resetState()
        } else {
            try model.setState(try hidden.map { try Matrix(rows: $0.shape[0], cols: $0.shape[1], storage: $0.values) })
        }
        return (state, byName)
    }

    /// The error for a file at `path` that is not a checkpoint (or whose trainer state does not read).
    public static func notACheckpoint(_ path: String) -> ModelFileError {
        .badSafeTensors(path: path, reason: "it is not an LMKit checkpoint (no trainer state in its metadata)")
    }
}
