import Foundation
import LMData
import LMFileSystem
import LMModels
import LMTensor
import LMText

/// A run directory: `config.json`, `vocab.json`, `model.safetensors` (the newest weights),
/// `log.jsonl`, `curve.svg` and `checkpoints/`. Every file is written to a temporary name
/// and renamed.
public struct RunDirectory: Sendable {
    /// The directory.
    public let path: String

    /// `runs/latest`, the link to the newest run, used when no `--model` is given.
    public static let latest = "runs/latest"

    public init(path: String) { self.path = path }

    public var configPath: String { path + "/config.json" }
    public var vocabularyPath: String { path + "/vocab.json" }
    public var weightsPath: String { path + "/model.safetensors" }
    public var logPath: String { path + "/log.jsonl" }
    public var curvePath: String { path + "/curve.svg" }
    public var checkpointsPath: String { path + "/checkpoints" }

    /// Creates the directory (and `checkpoints/`) if needed.
    public func create() throws {
        do {
            try FileAccess.createDirectory(checkpointsPath)
        } catch let FileError.unwritable(_, reason) {
            throw ModelFileError.io(path: path, reason: "cannot create the run directory: \(reason)")
        }
    }

    /// The `latest` link beside this directory and what it is to hold: the directory's name
    /// when the link's folder is the directory's own parent, links resolved (so `runs/latest`
    /// as the run directory points `runs/latest` at the run it names, never at itself), else
    /// the directory's absolute path.
    /// - Throws: ``ModelFileError/io(path:reason:)`` when a `latest` exists that is not a
    ///   symbolic link (a user's file or folder, which LMKit never replaces).
    public func latestLink() throws -> (link: String, target: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let link = parent + "/latest"
        var info = stat()
        if lstat(link, &info) == 0 && (info.st_mode & S_IFMT) != S_IFLNK {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "a file"
            // Named as the path was spelled ("runs/a" → "runs/latest") unless it ends in "." or "..".
            var spelled = Substring(path)
            while spelled.count > 1 && spelled.hasSuffix("/") { spelled = spelled.dropLast() }
            let last = spelled.split(separator: "/").last ?? ""
            let folder = spelled.lastIndex(of: "/").map { $0 == spelled.startIndex ? "" : String(spelled[..<$0]) } ?? "."
            let named = last == "." || last == ".." ? link : folder + "/latest"
            throw ModelFileError.io(path: named, reason: "is \(kind), not the link LMKit keeps to the newest run; move it away or choose another run.output")
        }
        func resolved(_ path: String) -> String? {
            guard let real = realpath(path, nil) else { return nil }
            defer { free(real) }
            return String(cString: real)
        }
        guard let directory = resolved(url.path) else { return (link, url.lastPathComponent) }   // created before the link is made
        let target = URL(fileURLWithPath: directory)
        let sameParent = resolved(parent) == target.deletingLastPathComponent().path
        return (link, sameParent ? target.lastPathComponent : directory)
    }

    /// Points `<parent>/latest` at this directory (``latestLink()``: a relative symbolic link,
    /// replaced atomically; only ever replacing a link).
    public func markLatest() throws {
        let (link, target) = try latestLink()
        let temporary = URL(fileURLWithPath: link).deletingLastPathComponent().path + "/.latest-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0, rename(temporary, link) == 0 else {
            unlink(temporary)
            throw ModelFileError.io(path: link, reason: "cannot update the link: \(SystemError.current)")
        }
    }

    // MARK: - config.json

    public func writeConfig(_ config: RunConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(config) + Data("\n".utf8), to: configPath)
    }

    public func readConfig() throws -> RunConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError.notARun(path: path, reason: "no such directory (train one with lm-train, or pass run.directory DIR)")
        }
        guard isDirectory.boolValue else { throw ModelFileError.notARun(path: path, reason: "it is a file, not a directory") }
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw ModelFileError.notARun(path: path, reason: "it has no config.json")
        }
        guard let data = try? FileAccess.contents(of: configPath) else {
            throw ModelFileError.io(path: configPath, reason: "cannot read: \(FileAccess.unreadableReason(configPath) ?? "read error")")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format"] as? String == RunConfig.formatName else {
            throw ModelFileError.notARun(path: path, reason: "config.json is not an LMKit run configuration")
        }
        let config: RunConfig
        do {
            config = try JSONDecoder().decode(RunConfig.self, from: data)
        } catch {
            throw ModelFileError.notARun(path: path, reason: "config.json is damaged (\(error))")
        }
        guard CellRegistry.definition(named: config.model.kind.rawValue) != nil else {
            throw ModelFileError.notARun(path: path, reason: "config.json's cell kind \(config.model.kind.rawValue) is none this LMKit has (\(CellRegistry.knownNames))")
        }
        return config
    }

    // MARK: - vocab.json

    public func writeVocabulary(_ file: VocabularyFile) throws { try file.save(to: vocabularyPath) }

    public func readVocabulary() throws -> VocabularyFile {
        guard FileManager.default.fileExists(atPath: vocabularyPath) else {
            throw ModelFileError.notARun(path: path, reason: "it has no vocab.json")
        }
        return try VocabularyFile.load(from: vocabularyPath)
    }

    /// `vocab.json`, checked against the vocabulary `config` records (runs written before
    /// LMKit recorded it are not checked).
    /// - Throws: ``ModelFileError/foreignVocabulary(path:recorded:found:)`` when its tokens
    ///   are not the ones the model was trained with.
    public func readVocabulary(for config: RunConfig) throws -> VocabularyFile {
        let file = try readVocabulary()
        if let recorded = config.vocabulary {
            let found = VocabularyDigest(of: file)
            guard found == recorded else {
                throw ModelFileError.foreignVocabulary(path: vocabularyPath, recorded: recorded, found: found)
            }
        }
        return file
    }

    // MARK: - weights

    /// The model's parameters as safetensors tensors, named as the parameters.
    public static func tensors(of model: RecurrentLM<Float>) -> [SafeTensors.Tensor] {
        model.parameters.map { SafeTensors.Tensor(name: $0.name, shape: $0.shape, values: $0.value.array) }
    }

    /// Copies tensors into the model's parameters; every parameter must be there with its
    /// shape, and nothing else may be (`prefix`-named extras such as optimizer state aside).
    public static func assign(_ tensors: [SafeTensors.Tensor], to model: RecurrentLM<Float>, path: String) throws {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for parameter in model.parameters {
            guard let tensor = byName[parameter.name] else {
                throw ModelFileError.weightsMismatch(path: path, reason: "no tensor \(parameter.name)")
            }
            guard tensor.shape == parameter.shape else {
                throw ModelFileError.weightsMismatch(path: path, reason: "\(parameter.name) has shape \(tensor.shape), the model needs \(parameter.shape)")
            }
            if let index = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw ModelFileError.damagedWeights(path: path, reason: "tensor \(parameter.name) holds \(tensor.values[index]) at index \(index) (weights must be finite)")
            }
            try! parameter.value.assign(tensor.values)
        }
        let names = Set(model.parameters.map(\.name))
        if let extra = tensors.first(where: { !names.contains($0.name) }) {
            throw ModelFileError.weightsMismatch(path: path, reason: "unexpected tensor \(extra.name)")
        }
    }

    /// Writes `model.safetensors`.
    public func writeWeights(_ model: RecurrentLM<Float>, metadata: [String: String] = [:]) throws {
        try AtomicFile.write(try SafeTensors.encode(Self.tensors(of: model), metadata: metadata), to: weightsPath)
    }

    /// Loads config, vocabulary and weights: the model as training left it.
    public static func load(_ path: String) throws -> TrainedModel {
        let directory = RunDirectory(path: path)
        let config = try directory.readConfig()
        let vocabularyFile = try directory.readVocabulary(for: config)
        let vocabulary = try vocabularyFile.vocabulary()
        guard vocabulary.count == config.model.vocabularySize else {
            throw ModelFileError.weightsMismatch(path: directory.vocabularyPath,
                reason: "the vocabulary has \(vocabulary.count) tokens but the model was built for \(config.model.vocabularySize)")
        }
        try SystemMemory.check(MemoryEstimate(config: config.model, steps: 35, batch: 1),
                               advice: "\(path) holds a model too large for this machine (hidden \(config.model.layerWidths), \(config.model.layers) layers)")
        var generator = RandomGenerator(seed: 0)   // cheap; the weights are overwritten below
        let model: RecurrentLM<Float>
        do {
            model = try RecurrentLM<Float>(config: config.model, using: &generator)
        } catch let error as ModelError {
            throw ModelFileError.model(path: directory.configPath, error)
        }
        guard FileManager.default.fileExists(atPath: directory.weightsPath) else {
            throw ModelFileError.notARun(path: path, reason: "it has no model.safetensors (did training write a checkpoint?)")
        }
        let (tensors, _) = try SafeTensors.read(from: directory.weightsPath)
        try assign(tensors, to: model, path: directory.weightsPath)
        return TrainedModel(directory: directory, config: config, vocabularyFile: vocabularyFile,
                            vocabulary: vocabulary, model: model)
    }
}
