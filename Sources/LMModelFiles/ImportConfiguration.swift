import Foundation
import LMFileSystem
import LMModels
import LMSettings
import LMText

/// What `lm-convert import --config FILE` states about a model whose weights come from
/// elsewhere: any of ``ModelConfig``'s fields, every one optional. What the tensors
/// determine (kind, widths, layers, one-hot or embedding, tied, the second bias) is inferred
/// and checked against the fields given; the rest (activation, initialization, dropout,
/// forgetBias) is taken as given, with PyTorch's defaults when absent.
///
/// The file is either a JSON object of model fields (`{"activation": "relu"}`) or an LMKit
/// run's `config.json`, whose `model` is read and whose `training` and `data` are kept for
/// the imported run.
public struct ImportConfiguration: Sendable, Equatable {
    public var kind: ModelConfig.Kind?
    public var activation: ModelConfig.Activation?
    public var vocabularySize: Int?
    /// `.some(nil)`: the file says `"embeddingSize": null` (one-hot input).
    public var embeddingSize: Int??
    public var hiddenSize: Int?
    public var layers: Int?
    public var tied: Bool?
    public var recurrentBias: Bool?
    public var gruVariant: ModelConfig.GRUVariant?
    public var initialization: ModelConfig.Initialization?
    public var embeddingInitialization: ModelConfig.Initialization?
    public var outputInitialization: ModelConfig.Initialization?
    public var forgetBias: Double?
    public var dropout: Dropout?
    /// A run config's training settings, kept for the imported run.
    public var training: TrainingOptions?
    /// A run config's data record, kept for the imported run.
    public var data: RunData?

    /// Nothing stated: everything inferred.
    public init() {}

    /// Reads a configuration file (see the type's description).
    /// - Throws: ``PyTorchStateDictError/badConfig(path:reason:)``.
    public static func load(from path: String) throws -> ImportConfiguration {
        let data: Data
        do { data = try FileAccess.contents(of: path) } catch {
            throw PyTorchStateDictError.badConfig(path: path, reason: "cannot read: \(FileAccess.unreadableReason(path) ?? "read error")")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PyTorchStateDictError.badConfig(path: path, reason: "not a JSON object")
        }
        var result = ImportConfiguration()
        var model = object
        if let format = object["format"] as? String {
            guard format == RunConfig.formatName else {
                throw PyTorchStateDictError.badConfig(path: path, reason: "format \"\(format)\" is not an LMKit run (\(RunConfig.formatName))")
            }
            do {
                let run = try JSONDecoder().decode(RunConfig.self, from: data)
                result.training = run.training
                result.data = run.data
            } catch {
                throw PyTorchStateDictError.badConfig(path: path, reason: "a damaged LMKit run config.json (\(Self.describe(error)))")
            }
            model = object["model"] as? [String: Any] ?? [:]
        }
        let known: Set<String> = ["kind", "activation", "vocabularySize", "embeddingSize", "hiddenSize", "layers", "tied",
                                  "recurrentBias", "gruVariant", "initialization", "embeddingInitialization",
                                  "outputInitialization", "forgetBias", "dropout"]
        if let unknown = model.keys.sorted().first(where: { !known.contains($0) }) {
            throw PyTorchStateDictError.badConfig(path: path, reason: "unknown field \(unknown) (model fields: \(known.sorted().joined(separator: ", ")))")
        }
        func field<T: Decodable>(_ name: String, _ type: T.Type) throws -> T? {
            guard let value = model[name], !(value is NSNull) else { return nil }
            do {
                let bytes = try JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed])
                return try JSONDecoder().decode([T].self, from: bytes)[0]
            } catch {
                throw PyTorchStateDictError.badConfig(path: path, reason: "\(name): \(Self.describe(error))")
            }
        }
        result.kind = try field("kind", ModelConfig.Kind.self)
        result.activation = try field("activation", ModelConfig.Activation.self)
        result.vocabularySize = try field("vocabularySize", Int.self)
        if model.keys.contains("embeddingSize") { result.embeddingSize = .some(try field("embeddingSize", Int.self)) }
        result.hiddenSize = try field("hiddenSize", Int.self)
        result.layers = try field("layers", Int.self)
        result.tied = try field("tied", Bool.self)
        result.recurrentBias = try field("recurrentBias", Bool.self)
        result.gruVariant = try field("gruVariant", ModelConfig.GRUVariant.self)
        result.initialization = try field("initialization", ModelConfig.Initialization.self)
        result.embeddingInitialization = try field("embeddingInitialization", ModelConfig.Initialization.self)
        result.outputInitialization = try field("outputInitialization", ModelConfig.Initialization.self)
        result.forgetBias = try field("forgetBias", Double.self)
        result.dropout = try field("dropout", Dropout.self)
        return result
    }

    /// A decoding error in a few words.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "wrong type" + (c.codingPath.isEmpty ? "" : " at " + c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."))
        default: return "\(error)"
        }
    }
}
